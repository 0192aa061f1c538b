import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { startEmbeddedAws } from "../src/emulator/embedded-aws.ts";
import { bootEmbeddedAwsThread, startEmbeddedAwsThread } from "../src/emulator/thread.ts";
import { EMULATOR_CREDENTIALS, provisionLocalResources } from "../src/resources/provision.ts";

describe("the embedded emulator in a thread of its own", () => {
  it("serves the same endpoint, reports its heap, and stops", async () => {
    const aws = await startEmbeddedAwsThread({ port: 0 });
    const dynamo = new DynamoDBClient({
      endpoint: aws.endpoint,
      region: "us-east-1",
      credentials: EMULATOR_CREDENTIALS,
    });
    try {
      expect(aws.endpoint).toBe(`http://127.0.0.1:${aws.port}`);
      const resources = await provisionLocalResources({
        endpoint: aws.endpoint,
        names: { table: "thread-otp" },
      });
      const tables = await dynamo.send(new ListTablesCommand({}));
      expect(tables.TableNames).toContain(resources.tableName);
      // Asking for a collection is answered even where gc is not exposed (as under Vitest).
      const [plain, collected] = await Promise.all([aws.memory(), aws.memory(true)]);
      for (const memory of [plain, collected]) {
        expect(memory?.heapUsedBytes).toBeGreaterThan(1_000_000);
        expect(memory?.externalBytes).toBeGreaterThan(0);
      }
    } finally {
      dynamo.destroy();
      await aws.stop();
      await aws.stop();
    }
    expect(await aws.memory(true)).toBeUndefined();
    await expect(fetch(`${aws.endpoint}/health`)).rejects.toThrow();
  });

  it("boots before it knows its options, starts once, and is discarded when not needed", async () => {
    const booted = bootEmbeddedAwsThread();
    // Options known only later, as in `npm start`: the thread has been loading meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const starting = booted.start({ port: 0 });
    expect(booted.start({ port: 0 })).toBe(starting);
    const aws = await starting;
    try {
      expect((await fetch(`${aws.endpoint}/health`)).ok).toBe(true);
    } finally {
      await aws.stop();
    }
    const unneeded = bootEmbeddedAwsThread();
    await unneeded.discard();
    await expect(unneeded.start({ port: 0 })).rejects.toThrow(/exited/);
  });

  it("fails to start on a busy port with the emulator's error and its code", async () => {
    const first = await startEmbeddedAws({ port: 0 });
    try {
      const failure = await startEmbeddedAwsThread({ port: first.port }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as { code?: string }).code).toBe("EADDRINUSE");
      expect((failure as Error).message).toMatch(/already in use.*LOCAL_AWS_PORT/);
    } finally {
      await first.stop();
    }
  });
});
