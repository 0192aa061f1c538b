import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../src/emulator/embedded-aws.ts";
import { EMULATOR_CREDENTIALS } from "../src/resources/provision.ts";

export interface EmbeddedAwsFixture {
  aws: EmbeddedAws;
  dynamo: DynamoDBClient;
  sns: SNSClient;
  sqs: SQSClient;
}

/**
 * Starts an embedded stack on a free port with SDK clients pointed at it for the current test
 * file, and stops it all afterwards. Read the fields inside tests (they are set in beforeAll).
 */
export function useEmbeddedAws(): EmbeddedAwsFixture {
  const fixture = {} as EmbeddedAwsFixture;
  beforeAll(async () => {
    fixture.aws = await startEmbeddedAws({ port: 0 });
    const config = { endpoint: fixture.aws.endpoint, region: "us-east-1", credentials: EMULATOR_CREDENTIALS };
    fixture.dynamo = new DynamoDBClient(config);
    fixture.sns = new SNSClient(config);
    fixture.sqs = new SQSClient(config);
  });
  afterAll(async () => {
    fixture.dynamo?.destroy();
    fixture.sns?.destroy();
    fixture.sqs?.destroy();
    await fixture.aws?.stop();
  });
  return fixture;
}
