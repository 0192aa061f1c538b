import type { RouteName } from "#api-contract";
import type { OtpConfig } from "../config/config.ts";
import type { ApiHandler } from "../http/endpoints.ts";
import type { RuntimeOverrides } from "./common.ts";
import { createGenerateHandler } from "./generate.ts";
import { createValidateHandler } from "./validate.ts";

/**
 * Both functions' handlers in one process, for the integration suites, the dev server's parity
 * test and the scripts. Lambda never loads this module: each handler module builds only its own.
 */
export async function createHandlers(
  config: OtpConfig,
  overrides: RuntimeOverrides = {},
): Promise<Record<RouteName, ApiHandler>> {
  const [generate, validate] = await Promise.all([
    createGenerateHandler(config, overrides),
    createValidateHandler(config, overrides),
  ]);
  return { generate, validate };
}

export { type AwsClients, createAwsClients } from "../adapters/aws-clients.ts";
export { TurnstileChallenge } from "../adapters/turnstile-challenge.ts";
export type { Clock, SmsMessage, SmsSender } from "../domain/ports.ts";
export type { ApiHandler } from "../http/endpoints.ts";
export type { RuntimeOverrides } from "./common.ts";
