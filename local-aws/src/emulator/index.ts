/** The embedded AWS emulator: DynamoDB, SNS and SQS behind one endpoint, in this thread or its own. */
export {
  DEFAULT_REGION,
  type EmbeddedAws,
  type EmbeddedAwsOptions,
  startEmbeddedAws,
} from "./embedded-aws.ts";
export { type EmbeddedAwsThread, startEmbeddedAwsThread, type ThreadMemory } from "./thread.ts";
