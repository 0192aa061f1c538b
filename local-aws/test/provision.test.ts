import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RESOURCE_NAMES,
  deleteLocalResources,
  provisionLocalResources,
} from "../src/resources/provision.ts";
import { useEmbeddedAws } from "./clients.ts";

const stack = useEmbeddedAws();

describe("provisionLocalResources", () => {
  it("creates the table, topic, outbox queue and one raw subscription, and a second run changes nothing", async () => {
    const first = await provisionLocalResources({ endpoint: stack.aws.endpoint });
    const second = await provisionLocalResources({ endpoint: stack.aws.endpoint });
    expect(second).toEqual(first);
    expect(first).toEqual({
      tableName: DEFAULT_RESOURCE_NAMES.table,
      topicArn: `arn:aws:sns:us-east-1:000000000000:${DEFAULT_RESOURCE_NAMES.topic}`,
      queueUrl: `${stack.aws.endpoint}/000000000000/${DEFAULT_RESOURCE_NAMES.queue}`,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:${DEFAULT_RESOURCE_NAMES.queue}`,
    });

    const { Table } = await stack.dynamo.send(new DescribeTableCommand({ TableName: first.tableName }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const { TimeToLiveDescription } = await stack.dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: first.tableName }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "ttl" });

    const { Subscriptions = [] } = await stack.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: first.topicArn }),
    );
    expect(Subscriptions).toHaveLength(1);
    expect(Subscriptions[0]).toMatchObject({ Protocol: "sqs", Endpoint: first.queueArn });
    const { Attributes: subscription } = await stack.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: Subscriptions[0]?.SubscriptionArn }),
    );
    expect(subscription?.RawMessageDelivery).toBe("true");

    const { Attributes: queue } = await stack.sqs.send(
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
    const resources = await provisionLocalResources({ endpoint: stack.aws.endpoint, names });
    expect(resources.tableName).toBe("custom-table");
    expect(resources.topicArn.endsWith(":custom-topic")).toBe(true);
    expect(resources.queueUrl.endsWith("/custom-queue")).toBe(true);

    await deleteLocalResources({ endpoint: stack.aws.endpoint }, resources);
    await expect(stack.dynamo.send(new DescribeTableCommand({ TableName: "custom-table" }))).rejects.toThrow(
      /not found/i,
    );
    await expect(
      stack.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.queueUrl, AttributeNames: ["QueueArn"] }),
      ),
    ).rejects.toThrow(/does not exist/i);
    // Deleting twice is harmless (a test's afterAll may run after a partial failure).
    await deleteLocalResources({ endpoint: stack.aws.endpoint }, resources);
  });
});
