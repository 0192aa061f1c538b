import { DescribeTimeToLiveCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  await stack?.cleanup();
});

async function exists(pk: string): Promise<boolean> {
  const { Item } = await stack.dynamo.send(
    new GetItemCommand({
      TableName: stack.resources.tableName,
      Key: { pk: { S: pk } },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

describe("TTL on the provisioned table", () => {
  it("is enabled on the `ttl` attribute", async () => {
    const { TimeToLiveDescription } = await stack.dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: stack.resources.tableName }),
    );
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe("ENABLED");
    expect(TimeToLiveDescription?.AttributeName).toBe("ttl");
  });

  it("lets DELETE /_aws/dynamodb/expired remove an expired item and keep a live one", async () => {
    const now = Math.floor(Date.now() / 1000);
    const put = (pk: string, ttl: number) =>
      stack.dynamo.send(
        new PutItemCommand({
          TableName: stack.resources.tableName,
          Item: { pk: { S: pk }, ttl: { N: String(ttl) } },
        }),
      );
    await put("TEST#expired", now - 60);
    await put("TEST#live", now + 3600);

    // The sweep covers every TTL table of the backend, so other files' expired items may count too.
    expect(await stack.expireItemsNow()).toBeGreaterThanOrEqual(1);

    expect(await exists("TEST#expired")).toBe(false);
    expect(await exists("TEST#live")).toBe(true);
  });
});
