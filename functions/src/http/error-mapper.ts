import type { APIGatewayProxyResult } from "aws-lambda";
import { OtpError, type OtpErrorCode, RateLimitedError } from "../domain/errors.ts";
import { type Headers, jsonResponse } from "./response.ts";

const STATUS_BY_CODE: Record<OtpErrorCode, number> = {
  invalid_request: 400,
  invalid_phone: 400,
  country_not_allowed: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  sms_send_failed: 502,
  service_unavailable: 503,
  invalid_code: 403,
  code_expired: 410,
  too_many_attempts: 429,
  challenge_failed: 403,
};

/** The HTTP status of each stable error code (the API contract: README.md, "API"). */
function statusOf(code: OtpErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** Seconds a client should wait after a 503: long enough for SDK-level throttling to clear. */
const SERVICE_UNAVAILABLE_RETRY_AFTER = 2;

/**
 * The one error mapper: a domain error becomes `{"error": {"code", "message", ...details}}` with
 * its status; anything else becomes a bare 500 with no internals (the caller logs the cause).
 */
export function errorResponse(error: unknown, headers: Headers = {}): APIGatewayProxyResult {
  if (!(error instanceof OtpError)) {
    return jsonResponse(
      500,
      { error: { code: "internal_error", message: "Something went wrong. Try again later." } },
      headers,
    );
  }
  const extra: Headers = {};
  if (error instanceof RateLimitedError) extra["retry-after"] = error.retryAfterSeconds.toString();
  if (error.code === "service_unavailable") extra["retry-after"] = SERVICE_UNAVAILABLE_RETRY_AFTER.toString();
  return jsonResponse(
    statusOf(error.code),
    { error: { code: error.code, message: error.message, ...error.details } },
    { ...headers, ...extra },
  );
}
