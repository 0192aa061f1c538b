import type { SendRefusal } from "./ports.ts";

/**
 * Domain errors. Each carries a stable snake_case code (the API contract: README.md, "API");
 * the one error mapper in `http/error-mapper.ts` turns them into HTTP responses.
 */

export type OtpErrorCode =
  | "invalid_request"
  | "invalid_phone"
  | "country_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "sms_send_failed"
  | "service_unavailable"
  | "invalid_code"
  | "code_expired"
  | "too_many_attempts"
  | "challenge_failed";

/** Which limit refused a send: lets a client explain the wait. */
export type RateLimitReason = SendRefusal;

export class OtpError extends Error {
  override readonly name: string = "OtpError";
  readonly code: OtpErrorCode;
  /** Extra fields for the error object of the response body. */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: OtpErrorCode,
    message: string,
    details: Readonly<Record<string, string | number | boolean>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

export class RateLimitedError extends OtpError {
  override readonly name = "RateLimitedError";
  readonly retryAfterSeconds: number;
  readonly reason: RateLimitReason;

  constructor(retryAfterSeconds: number, reason: RateLimitReason) {
    super("rate_limited", RATE_LIMIT_MESSAGES[reason], { retryAfter: retryAfterSeconds, reason });
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason;
  }
}

const RATE_LIMIT_MESSAGES: Record<RateLimitReason, string> = {
  resend_cooldown: "A code was sent to this number moments ago. Wait before asking for another.",
  phone_hourly_limit: "Too many codes were sent to this number this hour.",
  ip_hourly_limit: "Too many codes were requested from this network this hour.",
  country_hourly_limit: "Too many codes were sent to phone numbers in this country this hour.",
  global_hourly_limit: "The service sent as many codes as it may this hour.",
  suspected_fraud: "Codes to numbers like this one are paused: too few of the recent ones were used.",
};

export class InvalidCodeError extends OtpError {
  override readonly name = "InvalidCodeError";
  readonly attemptsRemaining: number;

  constructor(attemptsRemaining: number) {
    super("invalid_code", "The code is not correct.", { attemptsRemaining });
    this.attemptsRemaining = attemptsRemaining;
  }
}

/** A dependency (DynamoDB, Secrets Manager) failed or timed out; the request may be retried. */
export class ServiceUnavailableError extends OtpError {
  override readonly name = "ServiceUnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super("service_unavailable", message, {}, options);
  }
}

/** The SMS provider refused or failed; everything the send reserved has been rolled back. */
export class SmsSendError extends OtpError {
  override readonly name = "SmsSendError";
  constructor(options?: ErrorOptions) {
    super("sms_send_failed", "The SMS could not be sent. Try again.", {}, options);
  }
}
