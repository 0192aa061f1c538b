import type { Logger } from "@aws-lambda-powertools/logger";
import { type AwsClients, createDynamoClient, createSecretsClient } from "../adapters/aws-clients.ts";
import { DynamoDbOtpStore } from "../adapters/dynamodb-otp-store.ts";
import { EmfMetrics } from "../adapters/emf-metrics.ts";
import { loadKeyRing } from "../adapters/service-keys.ts";
import { systemClock } from "../adapters/system-clock.ts";
import { createLogger, domainEventLog } from "../commons/logger.ts";
import type { OtpConfig } from "../config/config.ts";
import type { OtpPolicy } from "../domain/limits.ts";
import type {
  BotChallenge,
  Clock,
  KeyRing,
  OtpEventLog,
  OtpMetrics,
  OtpStore,
  SmsSender,
} from "../domain/ports.ts";
import type { EndpointContext } from "../http/endpoints.ts";

/** Replaceable parts, for tests (an injectable clock, instrumented clients, a failing SMS sender). */
export interface RuntimeOverrides {
  readonly clients?: Partial<AwsClients>;
  readonly clock?: Clock;
  readonly store?: OtpStore;
  readonly sms?: SmsSender;
  readonly logger?: Logger;
  /** A bot challenge other than the configured one (Turnstile with a faked HTTP call, in tests). */
  readonly challenge?: BotChallenge;
  /** Counts instead of CloudWatch metrics; `flush` runs after each request. */
  readonly metrics?: OtpMetrics & { flush(): void };
}

/** What both functions build the same way: the store, the clock, the keys, the logger, the metrics. */
export interface CommonParts {
  readonly policy: OtpPolicy;
  readonly store: OtpStore;
  readonly clock: Clock;
  /** The versions of the service secret: the token key and the code-hash key derive from them. */
  readonly keys: KeyRing;
  readonly log: OtpEventLog;
  readonly metrics: OtpMetrics;
  readonly endpoint: EndpointContext;
}

/** The policy the domain reads, taken from the validated configuration. */
function otpPolicy(config: OtpConfig): OtpPolicy {
  return {
    ...config.otp,
    appName: config.sms.appName,
    smsTemplate: config.sms.template,
    webOtpDomain: config.sms.webOtpDomain,
  };
}

/**
 * The shared half of a composition root. Each function's root (generate.ts, validate.ts) adds
 * only what its route uses, so neither bundle carries the other's adapters.
 */
export async function commonParts(
  config: OtpConfig,
  overrides: RuntimeOverrides,
  options: { readonly previousKey: boolean },
): Promise<CommonParts> {
  const logger = overrides.logger ?? createLogger("sms-otp");
  const metrics = overrides.metrics ?? new EmfMetrics();
  const clock = overrides.clock ?? systemClock;
  const keys = await loadKeyRing(
    config.token,
    () => overrides.clients?.secrets ?? createSecretsClient(config.aws),
    {
      previous: options.previousKey,
      clock,
    },
  );
  return {
    policy: otpPolicy(config),
    store:
      overrides.store ??
      new DynamoDbOtpStore(overrides.clients?.dynamo ?? createDynamoClient(config.aws), config.aws.tableName),
    clock,
    keys,
    log: domainEventLog(logger),
    metrics,
    endpoint: { allowedOrigins: config.http.allowedOrigins, logger, afterRequest: () => metrics.flush() },
  };
}
