import { Logger } from "@aws-lambda-powertools/logger";
import { createAwsClients } from "../../src/adapters/aws-clients.ts";
import { loadConfig } from "../../src/config/config.ts";
import type { SmsMessage, SmsSender } from "../../src/domain/ports.ts";
import { createHandlers, type RuntimeOverrides } from "../../src/runtime/index.ts";
import { InMemoryOtpStore } from "./in-memory-store.ts";

/** A logger that writes nothing; tests that check logs capture stdout themselves. */
export const silentLogger = new Logger({ serviceName: "test", logLevel: "SILENT" });

/** A minimal valid environment for `loadConfig`. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    STAGE: "local",
    TABLE_NAME: "otp-unit",
    OTP_TOKEN_SECRET: "unit-test-secret-unit-test-secret-0123456789",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    ...overrides,
  };
}

/** Handlers over an in-memory store and a recording SMS sender (no network). */
export async function inMemoryHandlers(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}) {
  const config = loadConfig(testEnvironment(env));
  const store = new InMemoryOtpStore();
  const sent: SmsMessage[] = [];
  const sms: SmsSender = { send: async (message) => void sent.push(message) };
  const handlers = await createHandlers(config, {
    clients: createAwsClients(config.aws),
    store,
    sms,
    logger: silentLogger,
    ...overrides,
  });
  return { handlers, store, sent, config };
}
