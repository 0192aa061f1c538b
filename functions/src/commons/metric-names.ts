import { SEND_REFUSALS } from "../domain/ports.ts";

/**
 * The service's CloudWatch metrics: the functions emit them (EMF, through Powertools Metrics) and
 * the CDK stack builds its dashboard and alarms on them, from these names.
 */
export const METRIC_NAMESPACE = "SmsOtp";
/** The `service` dimension of every metric: both functions report under one name. */
export const METRIC_SERVICE = "sms-otp";

/** Every value of the `reason` dimension of `SendsRefused`. */
export const REFUSAL_REASONS = [...SEND_REFUSALS, "challenge_failed"] as const;

/** Every value of the `scope` dimension of `ScopesBlocked`. */
export const BLOCKED_SCOPES = ["range", "country"] as const;

export const METRICS = {
  /** An SMS with a code went out (dimension `country`, and once without it for the total). */
  codeSent: "CodesSent",
  /** A code was verified (same dimensions). */
  codeVerified: "CodesVerified",
  /** A send was refused (dimension `reason`: a `rate_limited` reason or `challenge_failed`). */
  sendRefused: "SendsRefused",
  /** A conversion rule blocked a range or a country (dimension `scope`: `range` or `country`). */
  scopeBlocked: "ScopesBlocked",
} as const;
