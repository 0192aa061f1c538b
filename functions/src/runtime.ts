import type { Logger } from "@aws-lambda-powertools/logger";
import type { RouteName } from "#api-contract";
import { type AwsClients, createAwsClients } from "./adapters/aws-clients.ts";
import { DynamoDbOtpStore } from "./adapters/dynamodb-otp-store.ts";
import { JwtTokenSigner } from "./adapters/jwt-token-signer.ts";
import { SnsSmsSender } from "./adapters/sns-sms-sender.ts";
import { systemClock } from "./adapters/system-clock.ts";
import { resolveServiceSecret } from "./adapters/token-secret.ts";
import { createLogger, domainEventLog } from "./commons/logger.ts";
import { loadConfig, type OtpConfig } from "./config.ts";
import { CodeHasher } from "./domain/code.ts";
import { type OtpPolicy, OtpService } from "./domain/otp-service.ts";
import type { Clock, OtpStore, SmsSender } from "./domain/ports.ts";
import { type ApiHandler, createEndpoints } from "./http/endpoints.ts";

// What the integration suites, the dev server's parity test and the scripts compose with.
export { type AwsClients, createAwsClients } from "./adapters/aws-clients.ts";
export type { Clock, SmsMessage, SmsSender } from "./domain/ports.ts";
export type { ApiHandler } from "./http/endpoints.ts";

/** Replaceable parts, for tests (an injectable clock, instrumented clients, a failing SMS sender). */
export interface RuntimeOverrides {
  readonly clients?: AwsClients;
  readonly clock?: Clock;
  readonly store?: OtpStore;
  readonly sms?: SmsSender;
  readonly logger?: Logger;
}

/** The policy the domain reads, taken from the validated configuration. */
export function otpPolicy(config: OtpConfig): OtpPolicy {
  return {
    ...config.otp,
    appName: config.sms.appName,
    smsTemplate: config.sms.template,
    webOtpDomain: config.sms.webOtpDomain,
  };
}

/**
 * The composition root: builds clients, adapters and the domain service once (per cold start,
 * or per dev-server boot) and returns the route handlers.
 */
export async function createHandlers(
  config: OtpConfig,
  overrides: RuntimeOverrides = {},
): Promise<Record<RouteName, ApiHandler>> {
  const clients = overrides.clients ?? createAwsClients(config.aws);
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger("sms-otp");
  const secret = await resolveServiceSecret(config.token, clients.secrets);
  const service = new OtpService({
    policy: otpPolicy(config),
    store: overrides.store ?? new DynamoDbOtpStore(clients.dynamo, config.aws.tableName),
    sms: overrides.sms ?? new SnsSmsSender(clients.sns, config.sms),
    tokens: new JwtTokenSigner({ ...config.token, secret }, clock),
    clock,
    hasher: new CodeHasher(secret),
    log: domainEventLog(logger),
  });
  return createEndpoints({ service, allowedOrigins: config.http.allowedOrigins, logger });
}

/**
 * What a Lambda entry module calls at cold start: validate the environment (failing fast with
 * every bad variable named) and build the handlers.
 */
export async function createHandlersFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Promise<Record<RouteName, ApiHandler>> {
  return createHandlers(loadConfig(env));
}
