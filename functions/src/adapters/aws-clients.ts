import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { OtpConfig } from "../config/config.ts";

/** The SDK clients of one cold start; adapters receive them, nothing else constructs clients. */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly secrets: SecretsManagerClient;
}

/**
 * Time budgets, chosen so a dead or throttled DynamoDB turns into `503 service_unavailable` in a
 * few seconds, well inside API Gateway's 29 s, instead of the SDK default of waiting indefinitely:
 * 3 attempts x (1 s connect or 2 s response) plus jittered backoff stays under 8 s.
 */
const DYNAMODB_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 2_000, maxAttempts: 3 } as const;
/** SMS: a retry after a timeout may send the same code twice, which beats not sending it. */
const SNS_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000, maxAttempts: 2 } as const;

type AwsSettings = OtpConfig["aws"];

/** What every client shares; only `endpointUrl` differs between AWS, LocalStack and the emulator. */
function commonSettings(aws: AwsSettings) {
  return {
    region: aws.region,
    ...(aws.endpointUrl
      ? {
          endpoint: aws.endpointUrl,
          // Emulators accept any key; real AWS uses the default credential chain instead.
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
        }
      : {}),
  };
}

export function createDynamoClient(aws: AwsSettings): DynamoDBDocumentClient {
  const dynamo = new DynamoDBClient({
    ...commonSettings(aws),
    maxAttempts: DYNAMODB_TIMEOUTS.maxAttempts,
    requestHandler: {
      connectionTimeout: DYNAMODB_TIMEOUTS.connectionTimeout,
      requestTimeout: DYNAMODB_TIMEOUTS.requestTimeout,
      // Without this the SDK only logs a warning when the timeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSnsClient(aws: AwsSettings): SNSClient {
  return new SNSClient({
    ...commonSettings(aws),
    maxAttempts: SNS_TIMEOUTS.maxAttempts,
    requestHandler: {
      connectionTimeout: SNS_TIMEOUTS.connectionTimeout,
      requestTimeout: SNS_TIMEOUTS.requestTimeout,
      throwOnRequestTimeout: true,
    },
  });
}

export function createSecretsClient(aws: AwsSettings): SecretsManagerClient {
  return new SecretsManagerClient({
    ...commonSettings(aws),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  });
}

/** All three clients (tests instrument one set and hand it to both functions). */
export function createAwsClients(aws: AwsSettings): AwsClients {
  return { dynamo: createDynamoClient(aws), sns: createSnsClient(aws), secrets: createSecretsClient(aws) };
}
