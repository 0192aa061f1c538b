import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
} from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../../src/local-aws/embedded-aws.ts";
import {
  DEFAULT_RESOURCE_NAMES,
  deleteLocalResources,
  EMULATOR_CREDENTIALS,
  provisionLocalResources,
} from "../../src/local-aws/provision.ts";

let aws: EmbeddedAws;
let dynamo: DynamoDBClient;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startEmbeddedAws({ port: 0 });
  const config = { endpoint: aws.endpoint, region: "us-east-1", credentials: EMULATOR_CREDENTIALS };
  dynamo = new DynamoDBClient(config);
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
});

afterAll(async () => {
  dynamo?.destroy();
  sns?.destroy();
  sqs?.destroy();
  await aws?.stop();
});

describe("provisionLocalResources", () => {
  it("creates the table, topic, outbox queue and one raw subscription, and a second run changes nothing", async () => {
    const first = await provisionLocalResources({ endpoint: aws.endpoint });
    const second = await provisionLocalResources({ endpoint: aws.endpoint });
    expect(second).toEqual(first);
    expect(first).toEqual({
      tableName: DEFAULT_RESOURCE_NAMES.table,
      topicArn: `arn:aws:sns:us-east-1:000000000000:${DEFAULT_RESOURCE_NAMES.topic}`,
      queueUrl: `${aws.endpoint}/000000000000/${DEFAULT_RESOURCE_NAMES.queue}`,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:${DEFAULT_RESOURCE_NAMES.queue}`,
    });

    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: first.tableName }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const { TimeToLiveDescription } = await dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: first.tableName }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "ttl" });

    const { Subscriptions = [] } = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: first.topicArn }),
    );
    expect(Subscriptions).toHaveLength(1);
    expect(Subscriptions[0]).toMatchObject({ Protocol: "sqs", Endpoint: first.queueArn });
    const { Attributes: subscription } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: Subscriptions[0]?.SubscriptionArn }),
    );
    expect(subscription?.RawMessageDelivery).toBe("true");

    const { Attributes: queue } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.queueUrl, AttributeNames: ["Policy"] }),
    );
    expect(JSON.parse(queue?.Policy ?? "{}")).toMatchObject({
      Statement: [
        {
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: first.queueArn,
          Condition: { ArnEquals: { "aws:SourceArn": first.topicArn } },
        },
      ],
    });
  });

  it("uses the names it is given, and deleteLocalResources removes them", async () => {
    const names = { table: "custom-table", topic: "custom-topic", queue: "custom-queue" };
    const resources = await provisionLocalResources({ endpoint: aws.endpoint, names });
    expect(resources.tableName).toBe("custom-table");
    expect(resources.topicArn.endsWith(":custom-topic")).toBe(true);
    expect(resources.queueUrl.endsWith("/custom-queue")).toBe(true);

    await deleteLocalResources({ endpoint: aws.endpoint }, resources);
    await expect(dynamo.send(new DescribeTableCommand({ TableName: "custom-table" }))).rejects.toThrow(
      /not found/i,
    );
    await expect(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.queueUrl, AttributeNames: ["QueueArn"] })),
    ).rejects.toThrow(/does not exist/i);
    // Deleting twice is harmless (a test's afterAll may run after a partial failure).
    await deleteLocalResources({ endpoint: aws.endpoint }, resources);
  });
});
