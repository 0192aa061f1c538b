import { createDynamoClient } from "../adapters/aws-clients.ts";
import { DynamoDbOtpStore } from "../adapters/dynamodb-otp-store.ts";
import type { OtpConfig } from "../config/config.ts";
import type { TrafficScope } from "../domain/ports.ts";

/**
 * Reads what an operator names on the command line: a range as the logs print it (`+44740012`)
 * or a country (`GB`).
 * @throws Error for anything else.
 */
export function parseScope(text: string): TrafficScope {
  const trimmed = text.trim();
  if (/^\+[1-9]\d{0,14}$/.test(trimmed)) return { kind: "range", key: trimmed };
  if (/^[A-Za-z]{2}$/.test(trimmed)) return { kind: "country", key: trimmed.toUpperCase() };
  throw new Error(`"${text}" is neither a range such as +44740012 nor a country such as GB`);
}

/**
 * Lifts the block of a range or a country and forgets its counts, so the conversion rule starts
 * afresh (for a country, this hour's budget count starts afresh too). The same SDK call against
 * AWS, LocalStack or the embedded emulator: only the endpoint differs.
 */
export async function liftBlock(aws: OtpConfig["aws"], scope: TrafficScope): Promise<void> {
  const client = createDynamoClient(aws);
  try {
    await new DynamoDbOtpStore(client, aws.tableName).clearScope(scope);
  } finally {
    client.destroy();
  }
}
