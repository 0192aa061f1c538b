import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "#functions/config";
import { type EmbeddedAws, startEmbeddedAws } from "#local-aws/emulator";
import { bootEmbeddedAwsThread } from "#local-aws/emulator-thread";
import { provisionLocalResources } from "#local-aws/resources";
import { type DevServer, startDevServer } from "../src/server.ts";
import { codeIn, postJson, waitForSms } from "./support/http.ts";

const SECRET = "dev-server-test-secret-dev-server-test-secret";

let alpha: DevServer;
let beta: DevServer;
// Beta is handed an emulator thread booted ahead, as `npm start` does (main.ts).
const betaThread = bootEmbeddedAwsThread();

beforeAll(async () => {
  // Two servers in one process, each with its own settings: the functions' environments must not mix.
  const [first, second] = await Promise.allSettled([
    startDevServer({
      port: 0,
      quiet: true,
      env: { OTP_APP_NAME: "Alpha", OTP_TOKEN_SECRET: SECRET, OTP_MAX_SENDS_PER_IP_PER_HOUR: "1000" },
    }),
    startDevServer({
      port: 0,
      quiet: true,
      env: { OTP_APP_NAME: "Beta", OTP_LENGTH: "8" },
      embeddedAws: betaThread,
    }),
  ]);
  if (first.status === "fulfilled") alpha = first.value;
  if (second.status === "fulfilled") beta = second.value;
  if (first.status === "rejected") throw first.reason;
  if (second.status === "rejected") throw second.reason;
}, 90_000);

afterAll(async () => {
  await Promise.all([alpha?.stop(), beta?.stop()]);
}, 30_000);

describe("the dev server over real HTTP", () => {
  it("reports where everything is", () => {
    expect(alpha.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(alpha.apiUrl).toBe(alpha.url);
    expect(alpha.inboxUrl).toBe(`${alpha.url}/_dev/inbox`);
    expect(alpha.awsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alpha.embeddedAws).toBe(true);
    // Random ports for both the server and the emulator: parallel tests never collide.
    expect(alpha.url).not.toBe(beta.url);
    expect(alpha.awsEndpoint).not.toBe(beta.awsEndpoint);
  });

  it("verifies a phone end to end: generate, read the SMS from the inbox, validate, get a token", async () => {
    const phone = "+14155550101";
    const generated = await postJson(alpha, "/generate", { phone });
    expect(generated.status).toBe(202);
    expect(await generated.json()).toMatchObject({ status: "pending" });

    const sms = await waitForSms(alpha, phone);
    expect(sms.message).toContain("is your Alpha verification code");
    expect(Date.parse(sms.timestamp)).not.toBeNaN();

    const validated = await postJson(alpha, "/validate", { phone, code: codeIn(sms.message) });
    expect(validated.status).toBe(200);
    const body = (await validated.json()) as { status: string; token: string; expiresIn: number };
    expect(body.status).toBe("approved");
    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(SECRET), {
      algorithms: ["HS256"],
    });
    expect(payload.sub).toBe(phone);
    expect(payload.phone_number_verified).toBe(true);

    // The code is consumed: a replay finds nothing to check.
    const replay = await postJson(alpha, "/validate", { phone, code: codeIn(sms.message) });
    expect(replay.status).toBe(410);
  });

  it("keeps each server's configuration to itself (two servers, one process)", async () => {
    const phone = "+14155550102";
    expect((await postJson(beta, "/generate", { phone })).status).toBe(202);
    const sms = await waitForSms(beta, phone);
    expect(sms.message).toContain("is your Beta verification code");
    expect(codeIn(sms.message)).toMatch(/^\d{8}$/);
    // Separate stacks: alpha's inbox never saw it.
    const alphaList = (await (
      await fetch(`${alpha.url}/_dev/sms?phone=${encodeURIComponent(phone)}`)
    ).json()) as {
      messages: unknown[];
    };
    expect(alphaList.messages).toEqual([]);
  });

  it("returns the functions' errors as they are", async () => {
    const response = await postJson(alpha, "/generate", { phone: "+14155550103", message: "phish" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    const media = await fetch(`${alpha.apiUrl}/generate`, {
      method: "POST",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(media.status).toBe(415);
  });

  it("reports the server's memory and each running function's heap at /_dev/stats", async () => {
    // ?gc=1 also asks each worker to collect (a no-op here: Vitest runs without --expose-gc).
    const response = await fetch(`${alpha.url}/_dev/stats?gc=1`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as {
      rssBytes: number;
      heapUsedBytes: number;
      functions: Record<string, { heapUsedBytes: number }>;
      emulator: { heapUsedBytes: number; externalBytes: number };
    };
    // The embedded emulator runs in a thread of its own, with its own heap.
    expect(stats.emulator.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(stats.emulator.heapUsedBytes).toBeLessThan(stats.rssBytes);
    expect(stats.emulator.externalBytes).toBeGreaterThan(0);
    expect(stats.rssBytes).toBeGreaterThan(stats.heapUsedBytes);
    expect(Object.keys(stats.functions).sort()).toEqual(["generate", "validate"]);
    for (const { heapUsedBytes } of Object.values(stats.functions)) {
      expect(heapUsedBytes).toBeGreaterThan(1_000_000);
      expect(heapUsedBytes).toBeLessThan(stats.rssBytes);
    }
  });

  it("serves the built page, its assets and a same-origin config", async () => {
    const page = await fetch(`${alpha.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Verify your phone number");
    const script = await fetch(`${alpha.url}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    const config = await fetch(`${alpha.url}/config.json`);
    expect(await config.json()).toEqual({ apiUrl: "" });
    const missing = await fetch(`${alpha.url}/no-such-file.js`);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: "Missing Authentication Token" });
  });

  it("allows its own origin by default: preflight echoes it, the function adds it once", async () => {
    const preflight = await fetch(`${alpha.apiUrl}/generate`, {
      method: "OPTIONS",
      headers: { origin: alpha.url, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(alpha.url);

    const foreign = await fetch(`${alpha.apiUrl}/generate`, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    const actual = await postJson(alpha, "/generate", { phone: "+1" }, { origin: alpha.url });
    expect(actual.status).toBe(400);
    // Exactly one value (duplicates would be joined with ", ").
    expect(actual.headers.get("access-control-allow-origin")).toBe(alpha.url);
  });

  it("streams each new SMS to the live inbox and renders it on the inbox page", async () => {
    const phone = "+14155550104";
    const controller = new AbortController();
    const stream = await fetch(`${alpha.url}/_dev/sms/stream?phone=${encodeURIComponent(phone)}`, {
      signal: controller.signal,
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = stream.body?.pipeThrough(new TextDecoderStream()).getReader() ?? expect.unreachable();
    try {
      expect((await postJson(alpha, "/generate", { phone })).status).toBe(202);
      let received = "";
      while (!/\n\n/.test(received.slice(received.indexOf("event: sms")))) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value;
      }
      const event = received.slice(received.indexOf("event: sms"));
      expect(event).toMatch(/^event: sms\ndata: /);
      const data = JSON.parse(/data: (.*)\n/.exec(event)?.[1] ?? "{}") as { phone: string; message: string };
      expect(data.phone).toBe(phone);
      expect(data.message).toContain("Alpha verification code");
      expect(received).toMatch(/id: [0-9a-f]{8}\.\d+\nevent: sms\n/);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }

    const page = await fetch(`${alpha.inboxUrl}?phone=${encodeURIComponent(phone)}`);
    const html = await page.text();
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html).toContain(phone);
    expect(html).toContain("Alpha verification code");
  });

  it("points at a real emulator where the table exists (what browser tests use)", async () => {
    const dynamo = new DynamoDBClient({
      endpoint: alpha.awsEndpoint,
      region: alpha.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: alpha.tableName }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    } finally {
      dynamo.destroy();
    }
  });

  it("stops cleanly: the server and its emulator endpoint are gone", async () => {
    await beta.stop();
    await expect(fetch(`${beta.url}/health`)).rejects.toThrow();
    await expect(fetch(`${beta.awsEndpoint}/health`)).rejects.toThrow();
    // Stopping twice is harmless.
    await beta.stop();
    // The emulator thread it was handed is the one it ran, and stopped.
    const handed = await betaThread.start();
    expect(handed.endpoint).toBe(beta.awsEndpoint);
    expect(await handed.memory()).toBeUndefined();
  });
});

describe("with AWS_ENDPOINT_URL (LocalStack, or any emulator already running)", () => {
  let external: EmbeddedAws | undefined;
  let server: DevServer | undefined;

  afterAll(async () => {
    await server?.stop();
    await external?.stop();
  }, 30_000);

  it("uses that endpoint instead of starting its own, provisions it, and leaves it running", async () => {
    // Stands in for LocalStack: an emulator the dev server did not start.
    external = await startEmbeddedAws({ port: 0 });
    const resources = await provisionLocalResources({ endpoint: external.endpoint });
    // An SMS captured before the dev server boots is not "since boot": the inbox leaves it out.
    const sns = new SNSClient({
      endpoint: external.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await sns.send(
      new PublishCommand({
        TopicArn: resources.topicArn,
        Message: "999999 is an old code",
        MessageAttributes: { phone: { DataType: "String", StringValue: "+14155550120" } },
      }),
    );
    sns.destroy();
    // SNS fans out to SQS on its own time: wait until the old SMS is really queued before booting.
    const sqs = new SQSClient({
      endpoint: external.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const queued = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    };
    await expect.poll(queued, { timeout: 5_000, interval: 20 }).toBe(1);
    sqs.destroy();

    const unneeded = bootEmbeddedAwsThread();
    server = await startDevServer({
      port: 0,
      quiet: true,
      env: { AWS_ENDPOINT_URL: external.endpoint },
      embeddedAws: unneeded,
    });
    // An emulator thread booted ahead is discarded, not left running.
    await expect(unneeded.start({ port: 0 })).rejects.toThrow(/exited/);
    expect(server.awsEndpoint).toBe(external.endpoint);
    expect(server.embeddedAws).toBe(false);
    expect(server.tableName).toBe(resources.tableName);

    const phone = "+14155550121";
    expect((await postJson(server, "/generate", { phone })).status).toBe(202);
    expect((await waitForSms(server, phone)).message).toContain("verification code");
    const all = (await (await fetch(`${server.url}/_dev/sms`)).json()) as { messages: { message: string }[] };
    expect(all.messages.map((sms) => sms.message)).not.toContain("999999 is an old code");

    await server.stop();
    server = undefined;
    const health = await fetch(`${external.endpoint}/health`);
    expect(health.ok).toBe(true);
  }, 60_000);
});

describe("an emulator thread handed over (as npm start does)", () => {
  it("is ended when the configuration is bad, with the variable named", async () => {
    const booted = bootEmbeddedAwsThread();
    const failure = await startDevServer({
      port: 0,
      quiet: true,
      env: { OTP_LENGTH: "lots" },
      embeddedAws: booted,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain("OTP_LENGTH");
    await expect(booted.start({ port: 0 })).rejects.toThrow(/exited/);
  });
});
