import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../src/emulator/embedded-aws.ts";
import { EMULATOR_CREDENTIALS } from "../src/resources/provision.ts";

let aws: EmbeddedAws;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  aws = await startEmbeddedAws({ port: 0 });
  dynamo = new DynamoDBClient({
    endpoint: aws.endpoint,
    region: "us-east-1",
    credentials: EMULATOR_CREDENTIALS,
  });
});

afterAll(async () => {
  dynamo?.destroy();
  await aws?.stop();
});

async function createTable(name: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

async function describeTtl(name: string) {
  return (await dynamo.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
}

async function enableTtl(name: string, attributeName = "ttl"): Promise<void> {
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName },
    }),
  );
}

async function exists(table: string, pk: string): Promise<boolean> {
  const { Item } = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

async function sweep(): Promise<unknown> {
  const response = await fetch(`${aws.endpoint}/_aws/dynamodb/expired`, { method: "DELETE" });
  expect(response.status).toBe(200);
  return response.json();
}

describe("TTL API emulation", () => {
  it("reports DISABLED until enabled, then the attribute, and forgets it when the table is re-created", async () => {
    await createTable("ttl-lifecycle");
    expect(await describeTtl("ttl-lifecycle")).toEqual({ TimeToLiveStatus: "DISABLED" });

    const { TimeToLiveSpecification } = await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: "ttl-lifecycle",
        TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl" },
      }),
    );
    expect(TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "ttl" });
    expect(await describeTtl("ttl-lifecycle")).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "ttl" });

    await dynamo.send(new DeleteTableCommand({ TableName: "ttl-lifecycle" }));
    await createTable("ttl-lifecycle");
    expect(await describeTtl("ttl-lifecycle")).toEqual({ TimeToLiveStatus: "DISABLED" });
  });

  it("answers for a missing table and a bad specification like DynamoDB", async () => {
    await expect(describeTtl("no-such-table")).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(enableTtl("no-such-table")).rejects.toBeInstanceOf(ResourceNotFoundException);
    await createTable("ttl-validation");
    await expect(enableTtl("ttl-validation", "")).rejects.toMatchObject({ name: "ValidationException" });
  });
});

describe("DELETE /_aws/dynamodb/expired", () => {
  it("deletes expired items of TTL tables only, and answers with the count like LocalStack", async () => {
    const now = Math.floor(Date.now() / 1000);
    await createTable("ttl-sweep");
    await enableTtl("ttl-sweep");
    await createTable("no-ttl");
    const put = (table: string, pk: string, ttl?: { N: string } | { S: string }) =>
      dynamo.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...(ttl ? { ttl } : {}) } }));
    await put("ttl-sweep", "expired", { N: String(now - 60) });
    await put("ttl-sweep", "also-expired", { N: "1" });
    await put("ttl-sweep", "live", { N: String(now + 3600) });
    await put("ttl-sweep", "no-ttl-attribute");
    // DynamoDB ignores a TTL attribute that is not a number.
    await put("ttl-sweep", "string-ttl", { S: "1" });
    await put("no-ttl", "expired-but-table-has-no-ttl", { N: "1" });

    expect(await sweep()).toEqual({ ExpiredItems: 2 });

    expect(await exists("ttl-sweep", "expired")).toBe(false);
    expect(await exists("ttl-sweep", "also-expired")).toBe(false);
    expect(await exists("ttl-sweep", "live")).toBe(true);
    expect(await exists("ttl-sweep", "no-ttl-attribute")).toBe(true);
    expect(await exists("ttl-sweep", "string-ttl")).toBe(true);
    expect(await exists("no-ttl", "expired-but-table-has-no-ttl")).toBe(true);

    expect(await sweep()).toEqual({ ExpiredItems: 0 });
  });

  it("pages through tables larger than one scan page", async () => {
    await createTable("ttl-many");
    await enableTtl("ttl-many");
    // ~2 KB items: 600 of them exceed a 1 MB scan page.
    const padding = "x".repeat(2000);
    const puts = Array.from({ length: 600 }, (_, index) =>
      dynamo.send(
        new PutItemCommand({
          TableName: "ttl-many",
          Item: { pk: { S: `item-${index}` }, ttl: { N: "1" }, padding: { S: padding } },
        }),
      ),
    );
    await Promise.all(puts);
    expect(await sweep()).toEqual({ ExpiredItems: 600 });
  });
});
