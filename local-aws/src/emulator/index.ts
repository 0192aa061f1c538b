/**
 * The embedded AWS emulator: DynamoDB, SNS and SQS in this thread behind one endpoint. The same in
 * a thread of its own is `#local-aws/emulator-thread`, which loads none of the emulator here.
 */
export {
  DEFAULT_REGION,
  type EmbeddedAws,
  type EmbeddedAwsOptions,
  startEmbeddedAws,
} from "./embedded-aws.ts";
