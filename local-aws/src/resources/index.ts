/**
 * The service's local resources (table, SMS capture topic, SMS outbox queue) and the outbox
 * reader: the same SDK calls against the embedded emulator, LocalStack or AWS.
 */
export {
  DEFAULT_RESOURCE_NAMES,
  deleteLocalResources,
  EMULATOR_CREDENTIALS,
  type LocalResources,
  type ProvisionOptions,
  provisionLocalResources,
  type ResourceNames,
  TTL_ATTRIBUTE,
} from "./provision.ts";
export { type CapturedSms, parseOutboxMessage, SmsOutbox, type SmsOutboxOptions } from "./sms-outbox.ts";
