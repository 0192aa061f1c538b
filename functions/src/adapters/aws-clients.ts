import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { OtpConfig } from "../config.ts";

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

/** Builds the clients for AWS, LocalStack or the embedded emulator; only `endpointUrl` differs. */
export function createAwsClients(aws: OtpConfig["aws"]): AwsClients {
  const common = {
    region: aws.region,
    ...(aws.endpointUrl
      ? {
          endpoint: aws.endpointUrl,
          // Emulators accept any key; real AWS uses the default credential chain instead.
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
        }
      : {}),
  };
  const dynamo = new DynamoDBClient({
    ...common,
    maxAttempts: DYNAMODB_TIMEOUTS.maxAttempts,
    requestHandler: {
      connectionTimeout: DYNAMODB_TIMEOUTS.connectionTimeout,
      requestTimeout: DYNAMODB_TIMEOUTS.requestTimeout,
      // Without this the SDK only logs a warning when the timeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
  return {
    dynamo: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    sns: new SNSClient({
      ...common,
      maxAttempts: SNS_TIMEOUTS.maxAttempts,
      requestHandler: {
        connectionTimeout: SNS_TIMEOUTS.connectionTimeout,
        requestTimeout: SNS_TIMEOUTS.requestTimeout,
        throwOnRequestTimeout: true,
      },
    }),
    secrets: new SecretsManagerClient({
      ...common,
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
    }),
  };
}
