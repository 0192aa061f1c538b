import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "#local-aws/emulator";
import {
  deleteLocalResources,
  type LocalResources,
  provisionLocalResources,
  SmsOutbox,
} from "#local-aws/resources";
import { type FaultProxy, identifyCall, startFaultProxy } from "#test-support/fault-proxy";

let aws: EmbeddedAws;
let resources: LocalResources;
let proxy: FaultProxy;
let dynamo: DynamoDBClient;
let sns: SNSClient;

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** One attempt per call, so each fault reaches the caller as the SDK reports it. */
const oneAttempt = { region: "us-east-1", credentials, maxAttempts: 1 } as const;

beforeAll(async () => {
  aws = await startEmbeddedAws({ port: 0 });
  resources = await provisionLocalResources({
    endpoint: aws.endpoint,
    names: { table: "fault-proxy-test", topic: "fault-proxy-capture", queue: "fault-proxy-outbox" },
  });
  proxy = await startFaultProxy(aws.endpoint);
  const requestHandler = { requestTimeout: 300, throwOnRequestTimeout: true };
  dynamo = new DynamoDBClient({ ...oneAttempt, endpoint: proxy.endpoint, requestHandler });
  sns = new SNSClient({ ...oneAttempt, endpoint: proxy.endpoint, requestHandler });
});

afterAll(async () => {
  dynamo?.destroy();
  sns?.destroy();
  await proxy?.close();
  if (resources) await deleteLocalResources({ endpoint: aws.endpoint }, resources);
  await aws?.stop();
});

let counter = 0;
/** Each test's own counter item. */
let key = "";

function count(pk = key) {
  return dynamo.send(
    new UpdateItemCommand({
      TableName: resources.tableName,
      Key: { pk: { S: pk } },
      UpdateExpression: "ADD sends :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
    }),
  );
}

async function sends(pk = key): Promise<number> {
  const { Item } = await dynamo.send(
    new GetItemCommand({ TableName: resources.tableName, Key: { pk: { S: pk } } }),
  );
  return Number(Item?.sends?.N ?? 0);
}

function freshKey(): string {
  key = `IP#192.0.2.${++counter}#1`;
  return key;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { code?: string; $metadata?: { httpStatusCode?: number } }) => error,
  );

describe("the fault proxy", () => {
  it("tells calls apart by service, operation and kind of item", async () => {
    freshKey();
    await count();
    await sends();
    const topicArn = resources.topicArn;
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "hello" }));
    expect(
      proxy.calls.slice(-3).map(({ service, operation, item }) => `${service}:${operation} ${item ?? "-"}`),
    ).toEqual(["dynamodb:UpdateItem IP", "dynamodb:GetItem IP", "sns:Publish -"]);
    expect(proxy.calls.at(-3)?.key).toBe(key);
    expect(identifyCall({}, Buffer.from("Action=Publish&TopicArn=x"))).toEqual({
      service: "unknown",
      operation: "Publish",
      key: undefined,
      item: undefined,
    });
  });

  it("forwards everything no rule picks, unchanged", async () => {
    freshKey();
    await count();
    await count();
    expect(await sends()).toBe(2);
    const outbox = new SmsOutbox({ endpoint: aws.endpoint, queueUrl: resources.queueUrl });
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: resources.topicArn,
          Message: "through the proxy",
          MessageAttributes: { phone: { DataType: "String", StringValue: "+14155550100" } },
        }),
      );
      const sms = await outbox.waitFor((message) => message.message === "through the proxy", {
        timeoutMs: 5000,
      });
      expect(sms.phone).toBe("+14155550100");
    } finally {
      outbox.close();
    }
  });

  it("answers 500 and 503 in the protocol of the call (JSON for DynamoDB, XML for SNS)", async () => {
    freshKey();
    proxy.arm({ operation: "UpdateItem", item: "IP", fault: { kind: "status", status: 500 } });
    const dynamoError = await failure(count());
    expect(dynamoError?.name).toBe("InternalServerError");
    expect(dynamoError?.$metadata?.httpStatusCode).toBe(500);

    proxy.arm({ operation: "Publish", fault: { kind: "status", status: 503 } });
    const snsError = await failure(
      sns.send(new PublishCommand({ TopicArn: resources.topicArn, Message: "x" })),
    );
    expect(snsError?.name).toBe("ServiceUnavailable");
    expect(snsError?.$metadata?.httpStatusCode).toBe(503);
    expect(await sends()).toBe(0);
  });

  it("throttles with each of AWS's codes", async () => {
    freshKey();
    for (const code of ["ProvisionedThroughputExceededException", "ThrottlingException"] as const) {
      proxy.arm({ operation: "UpdateItem", item: "IP", fault: { kind: "throttle", code } });
      const error = await failure(count());
      expect(error?.name).toBe(code);
      expect(error?.$metadata?.httpStatusCode).toBe(400);
    }
    proxy.arm({ operation: "Publish", fault: { kind: "throttle", code: "Throttling" } });
    expect(
      (await failure(sns.send(new PublishCommand({ TopicArn: resources.topicArn, Message: "x" }))))?.name,
    ).toBe("Throttling");
    expect(await sends()).toBe(0);
  });

  it("hangs until the client's own timeout, and resets connections, forwarding nothing", async () => {
    freshKey();
    proxy.arm({ operation: "UpdateItem", item: "IP", fault: { kind: "hang" } });
    const started = performance.now();
    const hung = await failure(count());
    expect(hung?.name).toBe("TimeoutError");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);

    proxy.arm({ operation: "UpdateItem", item: "IP", fault: { kind: "reset" } });
    expect((await failure(count()))?.code).toBe("ECONNRESET");
    expect(await sends()).toBe(0);
  });

  it("loses the answer of a call it forwarded: applied, but the client never hears", async () => {
    freshKey();
    proxy.arm({ operation: "UpdateItem", item: "IP", fault: { kind: "lose-answer" } });
    expect((await failure(count()))?.code).toBe("ECONNRESET");
    expect(await sends()).toBe(1);
  });

  it("fails the n-th matching call, as many in a row as asked, then heals", async () => {
    freshKey();
    const other = `IP#198.51.100.${counter}#1`;
    const before = proxy.calls.length;
    // The 2nd and 3rd UpdateItem on IP fail; GetItem and other keys' calls of the same kind count too.
    const rule = proxy.arm({
      operation: "UpdateItem",
      item: "IP",
      occurrence: 2,
      times: 2,
      fault: { kind: "reset" },
    });
    expect(await failure(count())).toBeUndefined();
    await sends();
    expect(rule.fired).toBe(0);
    expect((await failure(count(other)))?.code).toBe("ECONNRESET");
    expect((await failure(count()))?.code).toBe("ECONNRESET");
    expect(rule).toMatchObject({ fired: 2, healed: true });
    expect(await failure(count())).toBeUndefined();
    expect(await sends()).toBe(2);
    const reset = proxy.calls.slice(before).filter((call) => call.fault === "reset");
    expect(reset.map((call) => call.key)).toEqual([other, key]);
  });

  it("stops failing once disarmed", async () => {
    freshKey();
    const rule = proxy.arm({ operation: "UpdateItem", times: 5, fault: { kind: "status", status: 503 } });
    rule.disarm();
    expect(await failure(count())).toBeUndefined();
    expect(rule).toMatchObject({ fired: 0, healed: false });
  });
});
