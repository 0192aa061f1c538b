import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  type Subscription,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * Idempotent provisioning of the local resources the service needs: the
 * OTP table (partition key `pk`, on-demand, TTL on `ttl`), the SMS capture topic, and the "sms
 * outbox" queue subscribed to it with raw delivery. Only calls that the embedded stack, LocalStack
 * and AWS all answer the same way.
 */

export interface LocalResources {
  tableName: string;
  topicArn: string;
  queueUrl: string;
  queueArn: string;
}

export interface ResourceNames {
  table: string;
  topic: string;
  queue: string;
}

export interface ProvisionOptions {
  /** The emulator: the embedded stack, LocalStack, or whatever AWS_ENDPOINT_URL names. */
  endpoint: string;
  region?: string;
  names?: Partial<ResourceNames>;
}

export const DEFAULT_RESOURCE_NAMES: Readonly<ResourceNames> = {
  table: "sms-otp-local",
  topic: "sms-otp-capture",
  queue: "sms-otp-outbox",
};

/** The table's TTL attribute (epoch seconds), fixed by the data model. */
export const TTL_ATTRIBUTE = "ttl";

/** Emulators accept any key pair; fixed ones keep a developer's real AWS credentials out of play. */
export const EMULATOR_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

interface Clients {
  dynamo: DynamoDBClient;
  sns: SNSClient;
  sqs: SQSClient;
}

function createClients(endpoint: string, region: string): Clients {
  const config = { endpoint, region, credentials: EMULATOR_CREDENTIALS, maxAttempts: 3 };
  return { dynamo: new DynamoDBClient(config), sns: new SNSClient(config), sqs: new SQSClient(config) };
}

function destroyClients(clients: Clients): void {
  clients.dynamo.destroy();
  clients.sns.destroy();
  clients.sqs.destroy();
}

async function ensureTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    } catch (createError) {
      // Another process created it between our DescribeTable and CreateTable: fine.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilTableExists(
    { client: dynamo, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
    { TableName: tableName },
  );
}

async function ensureTtl(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: current } = await dynamo.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = current?.TimeToLiveStatus ?? "DISABLED";
  if (status === "ENABLED" || status === "ENABLING") {
    if (current?.AttributeName === TTL_ATTRIBUTE) return;
    throw new Error(
      `Table ${tableName} has TTL on "${current?.AttributeName}", not "${TTL_ATTRIBUTE}"; delete the table or disable its TTL`,
    );
  }
  if (status === "DISABLING") {
    throw new Error(
      `Table ${tableName} is disabling its TTL; AWS allows re-enabling it only after that finishes`,
    );
  }
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
    }),
  );
}

function outboxPolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SmsCaptureTopicMayDeliver",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      },
    ],
  });
}

async function findSubscription(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
): Promise<Subscription | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
    );
    const match = page.Subscriptions?.find(
      (subscription) => subscription.Protocol === "sqs" && subscription.Endpoint === queueArn,
    );
    if (match) return match;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

async function ensureRawSubscription(sns: SNSClient, topicArn: string, queueArn: string): Promise<void> {
  const existing = await findSubscription(sns, topicArn, queueArn);
  const subscriptionArn = existing?.SubscriptionArn;
  if (!subscriptionArn || subscriptionArn === "PendingConfirmation") {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: "true" },
        ReturnSubscriptionArn: true,
      }),
    );
    return;
  }
  const { Attributes } = await sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
  );
  if (Attributes?.RawMessageDelivery !== "true") {
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: "RawMessageDelivery",
        AttributeValue: "true",
      }),
    );
  }
}

function resolveNames(names: Partial<ResourceNames> | undefined): ResourceNames {
  return { ...DEFAULT_RESOURCE_NAMES, ...names };
}

/**
 * Creates what is missing and returns the resources; running it again (or against a stack that
 * already has them) changes nothing and returns the same values.
 */
export async function provisionLocalResources(options: ProvisionOptions): Promise<LocalResources> {
  const names = resolveNames(options.names);
  const clients = createClients(options.endpoint, options.region ?? "us-east-1");
  try {
    // The table and the SMS capture path do not depend on each other: provisioned side by side.
    const [, capture] = await Promise.all([
      ensureTable(clients.dynamo, names.table).then(() => ensureTtl(clients.dynamo, names.table)),
      provisionSmsCapture(clients, names),
    ]);
    return { tableName: names.table, ...capture };
  } finally {
    destroyClients(clients);
  }
}

/** The topic the functions publish SMS to, raw-delivered to the outbox queue the dev server reads. */
async function provisionSmsCapture(
  clients: Clients,
  names: ResourceNames,
): Promise<Omit<LocalResources, "tableName">> {
  const { TopicArn: topicArn } = await clients.sns.send(new CreateTopicCommand({ Name: names.topic }));
  const { QueueUrl: queueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: names.queue }));
  if (!topicArn || !queueUrl) throw new Error("CreateTopic/CreateQueue answered without an ARN or URL");
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn", "Policy"] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new Error(`GetQueueAttributes answered without the QueueArn of ${queueUrl}`);

  const policy = outboxPolicy(queueArn, topicArn);
  if (Attributes?.Policy !== policy) {
    await clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: policy } }),
    );
  }
  await ensureRawSubscription(clients.sns, topicArn, queueArn);
  return { topicArn, queueUrl, queueArn };
}

/** Deletes what {@link provisionLocalResources} created (tests clean up their own copies). */
export async function deleteLocalResources(
  options: Omit<ProvisionOptions, "names">,
  resources: LocalResources,
): Promise<void> {
  const clients = createClients(options.endpoint, options.region ?? "us-east-1");
  try {
    await Promise.all([
      clients.dynamo
        .send(new DeleteTableCommand({ TableName: resources.tableName }))
        .catch((error: unknown) => {
          if (!(error instanceof ResourceNotFoundException)) throw error;
        }),
      // Deleting a topic deletes its subscriptions too; DeleteTopic of a missing topic succeeds.
      clients.sns.send(new DeleteTopicCommand({ TopicArn: resources.topicArn })),
      clients.sqs.send(new DeleteQueueCommand({ QueueUrl: resources.queueUrl })).catch((error: unknown) => {
        if (!(error instanceof QueueDoesNotExist)) throw error;
      }),
    ]);
  } finally {
    destroyClients(clients);
  }
}
