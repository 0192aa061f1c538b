import { describe, expect, it } from "vitest";
import { gatewayResponses } from "#api-contract";
import {
  OtpError,
  type OtpErrorCode,
  RateLimitedError,
  ServiceUnavailableError,
} from "../../src/domain/errors.ts";
import { errorResponse } from "../../src/http/error-mapper.ts";

describe("errorResponse", () => {
  it.each<[OtpErrorCode, number]>([
    ["invalid_request", 400],
    ["invalid_phone", 400],
    ["country_not_allowed", 403],
    ["payload_too_large", 413],
    ["unsupported_media_type", 415],
    ["rate_limited", 429],
    ["sms_send_failed", 502],
    ["service_unavailable", 503],
    ["invalid_code", 403],
    ["code_expired", 410],
    ["too_many_attempts", 429],
  ])("maps %s to %i with the contract's body", (code, status) => {
    const result = errorResponse(new OtpError(code, "human text", { extra: 1 }));
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body)).toEqual({ error: { code, message: "human text", extra: 1 } });
  });

  it("adds Retry-After to rate limits and outages", () => {
    expect(errorResponse(new RateLimitedError(17, "phone_hourly_limit")).headers?.["retry-after"]).toBe("17");
    expect(errorResponse(new ServiceUnavailableError("down")).headers?.["retry-after"]).toBe("2");
  });

  it("never leaks internals of unexpected errors", () => {
    const error = new TypeError(
      "Cannot read properties of undefined (reading 'S') at /var/task/index.mjs:1:2",
    );
    const result = errorResponse(error);
    expect(result.statusCode).toBe(500);
    expect(result.body).toBe(
      JSON.stringify({
        error: { code: "internal_error", message: "Something went wrong. Try again later." },
      }),
    );
    const wrapped = errorResponse(
      new ServiceUnavailableError("The code store is unavailable.", { cause: error }),
    );
    expect(wrapped.body).not.toContain("index.mjs");
    expect(wrapped.body).not.toContain("stack");
  });
});

describe("the gateway's answers in the service's error format", () => {
  const inErrorFormat = Object.values(gatewayResponses).filter(
    (response): response is typeof response & { body: { error: { code: OtpErrorCode } } } =>
      "error" in response.body,
  );

  it("exist (the validator, size and media-type refusals)", () => {
    expect(inErrorFormat.map((response) => response.type).sort()).toEqual([
      "BAD_REQUEST_BODY",
      "REQUEST_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
    ]);
  });

  it.each(inErrorFormat)("$type answers with the status the handler gives its code", (response) => {
    const mapped = errorResponse(new OtpError(response.body.error.code, "x"));
    expect(response.statusCode).toBe(mapped.statusCode);
  });
});
