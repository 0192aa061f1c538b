import { connect } from "node:net";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { PublishCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { provisionLocalResources } from "../src/resources/provision.ts";
import { SmsOutbox } from "../src/resources/sms-outbox.ts";
import { useEmbeddedAws } from "./clients.ts";

const stack = useEmbeddedAws();

/** A query-protocol SQS call as botocore (the AWS CLI before late 2023) sends it. */
async function sqsQuery(params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const response = await fetch(stack.aws.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  return { status: response.status, xml: await response.text() };
}

describe("the single endpoint", () => {
  it("listens on loopback and answers health checks in both shapes", async () => {
    expect(stack.aws.endpoint).toBe(`http://127.0.0.1:${stack.aws.port}`);
    const health = await fetch(`${stack.aws.endpoint}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const localstackHealth = await fetch(`${stack.aws.endpoint}/_localstack/health`);
    expect(await localstackHealth.json()).toMatchObject({
      services: { dynamodb: "running", sns: "running", sqs: "running" },
    });
  });

  it("survives clients that hang up halfway through a request body", async () => {
    for (const target of ["DynamoDB_20120810.PutItem", "AmazonSQS.SendMessage", ""]) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(stack.aws.port, "127.0.0.1", () => {
          socket.write(
            `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-target: ${target}\r\n` +
              "content-type: application/x-amz-json-1.0\r\ncontent-length: 1000\r\n\r\n{",
            () => {
              socket.destroy();
              resolve();
            },
          );
        });
        socket.once("error", reject);
      });
    }
    expect((await fetch(`${stack.aws.endpoint}/health`)).status).toBe(200);
  });

  it("refuses requests for services it does not emulate, saying what it serves", async () => {
    const response = await fetch(`${stack.aws.endpoint}/some-bucket/key`, { method: "PUT", body: "x" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("DynamoDB, SNS and SQS");
  });
});

describe("DynamoDB through the endpoint", () => {
  const table = "gateway-items";

  beforeAll(async () => {
    await stack.dynamo.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });

  it("puts and gets an item", async () => {
    await stack.dynamo.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, n: { N: "1" } } }),
    );
    const { Item } = await stack.dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } } }),
    );
    expect(Item).toEqual({ pk: { S: "a" }, n: { N: "1" } });
  });

  it("enforces conditions on put and update, and returns the new values", async () => {
    await stack.dynamo.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: "c" }, attempts: { N: "0" } } }),
    );
    await expect(
      stack.dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: "c" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    const bump = () =>
      stack.dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: "c" } },
          UpdateExpression: "SET attempts = attempts + :one",
          ConditionExpression: "attempts < :max",
          ExpressionAttributeValues: { ":one": { N: "1" }, ":max": { N: "2" } },
          ReturnValues: "ALL_NEW",
        }),
      );
    expect((await bump()).Attributes?.attempts).toEqual({ N: "1" });
    expect((await bump()).Attributes?.attempts).toEqual({ N: "2" });
    await expect(bump()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe("SNS and SQS through the endpoint", () => {
  it("delivers an SNS publish raw to the subscribed queue, phone attribute included", async () => {
    const resources = await provisionLocalResources({
      endpoint: stack.aws.endpoint,
      names: { table: "t-sns", topic: "capture-sns", queue: "outbox-sns" },
    });
    await stack.sns.send(
      new PublishCommand({
        TopicArn: resources.topicArn,
        Message: "042137 is your Demo verification code.",
        MessageAttributes: {
          phone: { DataType: "String", StringValue: "+14155550123" },
          sms_type: { DataType: "String", StringValue: "Transactional" },
        },
      }),
    );
    const outbox = new SmsOutbox({ endpoint: stack.aws.endpoint, queueUrl: resources.queueUrl });
    try {
      const sms = await outbox.waitFor((message) => message.phone === "+14155550123", { timeoutMs: 5000 });
      expect(sms.message).toBe("042137 is your Demo verification code.");
      expect(Number.isNaN(Date.parse(sms.timestamp))).toBe(false);
      expect(await outbox.drain()).toEqual([]);
    } finally {
      outbox.close();
    }
  });

  it("hands out queue URLs on the endpoint itself", async () => {
    const { QueueUrl } = await stack.sqs.send(new CreateQueueCommand({ QueueName: "url-check" }));
    expect(QueueUrl).toBe(`${stack.aws.endpoint}/000000000000/url-check`);
    const { QueueUrls } = await stack.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "url-check" }));
    expect(QueueUrls).toEqual([QueueUrl]);
  });

  it("speaks the SQS query protocol of older AWS CLIs, XML escaping included", async () => {
    const { QueueUrl } = await stack.sqs.send(new CreateQueueCommand({ QueueName: "query-protocol" }));
    const queueUrl = QueueUrl ?? "";
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "a & <b>\r\nc",
        MessageAttributes: { phone: { DataType: "String", StringValue: "+447700900123" } },
      }),
    );

    const received = await sqsQuery({
      Action: "ReceiveMessage",
      QueueUrl: queueUrl,
      "AttributeName.1": "SentTimestamp",
      "MessageAttributeName.1": "All",
      MaxNumberOfMessages: "10",
    });
    expect(received.status).toBe(200);
    expect(received.xml).toContain("<ReceiveMessageResponse");
    expect(received.xml).toContain("<Body>a &amp; &lt;b&gt;&#xD;\nc</Body>");
    expect(received.xml).toContain(
      "<MessageAttribute><Name>phone</Name><Value><DataType>String</DataType><StringValue>+447700900123</StringValue></Value></MessageAttribute>",
    );
    expect(received.xml).toMatch(/<Attribute><Name>SentTimestamp<\/Name><Value>\d+<\/Value><\/Attribute>/);

    const listed = await sqsQuery({ Action: "ListQueues", QueueNamePrefix: "query-" });
    expect(listed.xml).toContain(`<ListQueuesResult><QueueUrl>${queueUrl}</QueueUrl></ListQueuesResult>`);

    const missing = await sqsQuery({ Action: "GetQueueUrl", QueueName: "no-such-queue" });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
    expect(missing.xml).toContain("<Type>Sender</Type>");
  });
});
