import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import {
  deleteLocalResources,
  EMULATOR_CREDENTIALS,
  type LocalResources,
  provisionLocalResources,
  SmsOutbox,
} from "#local-aws/resources";
import type { BackendKind } from "../setup/backend.ts";

/** One test file's own slice of the run's backend: its own table, topic and outbox queue. */
export interface TestStack {
  backend: BackendKind;
  endpoint: string;
  region: string;
  resources: LocalResources;
  /** The file's SMS outbox; captured SMS of other files never land here. */
  outbox: SmsOutbox;
  /** Raw DynamoDB client on the file's backend (to inspect the stored items). */
  dynamo: DynamoDBClient;
  /**
   * A complete environment for `loadConfig` pointing at this stack: TABLE_NAME,
   * SMS_CAPTURE_TOPIC_ARN, AWS_ENDPOINT_URL, AWS_REGION, a random OTP_TOKEN_SECRET, STAGE=local;
   * `overrides` win.
   */
  env(overrides?: Record<string, string>): Record<string, string>;
  /**
   * Runs the TTL sweeper now (`DELETE /_aws/dynamodb/expired`, LocalStack's developer endpoint,
   * which the embedded stack emulates) and returns how many expired items it deleted. The sweep
   * covers every table with TTL on the backend, not only this file's.
   */
  expireItemsNow(): Promise<number>;
  /** Deletes the file's resources and closes its clients; call it in afterAll. */
  cleanup(): Promise<void>;
}

/** Resource names stay unique across files running in parallel (and across reruns on one LocalStack). */
function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

/** Provisions this test file's resources on the backend the global setup picked. */
export async function createTestStack(): Promise<TestStack> {
  const endpoint = inject("awsEndpoint");
  const region = inject("awsRegion");
  const backend = inject("backend");
  const suffix = uniqueSuffix();
  const resources = await provisionLocalResources({
    endpoint,
    region,
    names: {
      table: `sms-otp-test-${suffix}`,
      topic: `sms-otp-capture-${suffix}`,
      queue: `sms-otp-outbox-${suffix}`,
    },
  });
  const outbox = new SmsOutbox({ endpoint, region, queueUrl: resources.queueUrl });
  const dynamo = new DynamoDBClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  // 36 random bytes are exactly 48 base64url characters.
  const tokenSecret = randomBytes(36).toString("base64url");

  return {
    backend,
    endpoint,
    region,
    resources,
    outbox,
    dynamo,
    env(overrides = {}) {
      return {
        STAGE: "local",
        TABLE_NAME: resources.tableName,
        SMS_CAPTURE_TOPIC_ARN: resources.topicArn,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: region,
        OTP_TOKEN_SECRET: tokenSecret,
        ...overrides,
      };
    },
    async expireItemsNow() {
      const response = await fetch(new URL("/_aws/dynamodb/expired", endpoint), { method: "DELETE" });
      if (!response.ok) {
        throw new Error(
          `DELETE /_aws/dynamodb/expired on ${endpoint} answered ${response.status}: ${await response.text()}`,
        );
      }
      const body: unknown = await response.json();
      const count =
        typeof body === "object" && body !== null ? (body as { ExpiredItems?: unknown }).ExpiredItems : 0;
      return typeof count === "number" ? count : 0;
    },
    async cleanup() {
      outbox.close();
      dynamo.destroy();
      await deleteLocalResources({ endpoint, region }, resources);
    },
  };
}
