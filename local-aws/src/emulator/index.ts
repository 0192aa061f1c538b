/** The embedded AWS emulator: DynamoDB, SNS and SQS in this process behind one endpoint. */
export {
  DEFAULT_REGION,
  type EmbeddedAws,
  type EmbeddedAwsOptions,
  startEmbeddedAws,
} from "./embedded-aws.ts";
