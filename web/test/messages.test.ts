import { describe, expect, it } from "vitest";
import type { ApiResult } from "../src/api.ts";
import { codeFromPastedText, normaliseCode } from "../src/code.ts";
import { formatDuration, generateOutcome, validateOutcome } from "../src/messages.ts";

function apiError(status: number, error: Record<string, unknown>, retryAfterHeader?: number): ApiResult {
  return {
    kind: "error",
    status,
    code: String(error.code),
    message: String(error.message ?? ""),
    details: error,
    retryAfterHeader,
  };
}

describe("formatDuration", () => {
  it.each([
    [0, "0 seconds"],
    [1, "1 second"],
    [0.2, "1 second"],
    [59, "59 seconds"],
    [60, "1 minute"],
    [61, "2 minutes"],
    [3599, "60 minutes"],
    [3600, "1 hour"],
    [7201, "3 hours"],
  ])("%d s -> %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("generateOutcome", () => {
  it("moves to the code step with the server's expiry and resend delay", () => {
    const outcome = generateOutcome({
      kind: "ok",
      status: 202,
      body: { status: "pending", expiresIn: 180, resendIn: 45 },
    });
    expect(outcome).toEqual({ kind: "sent", expiresIn: 180, resendIn: 45 });
  });

  it("shows invalid_phone and country_not_allowed next to the phone field", () => {
    const invalid = generateOutcome(apiError(400, { code: "invalid_phone", message: "x" }));
    expect(invalid).toEqual({
      kind: "phone_error",
      message: "This is not a valid phone number. Check the country and the digits.",
    });
    const country = generateOutcome(
      apiError(403, { code: "country_not_allowed", message: "x", country: "RU" }),
    );
    expect(country).toMatchObject({
      kind: "phone_error",
      message: expect.stringContaining("in this country"),
    });
    const international = generateOutcome(
      apiError(403, { code: "country_not_allowed", message: "x", country: "international" }),
    );
    expect(international).toMatchObject({
      kind: "phone_error",
      message: expect.stringContaining("satellite phones"),
    });
  });

  it.each([
    ["not_mobile", "This number cannot receive text messages. Use a mobile number."],
    ["length", "This number has too many or too few digits for its country. Check it."],
    ["format", "This is not a valid phone number. Check the country and the digits."],
    [undefined, "This is not a valid phone number. Check the country and the digits."],
  ])("explains invalid_phone with reason %s", (reason, message) => {
    expect(generateOutcome(apiError(400, { code: "invalid_phone", message: "x", reason }))).toEqual({
      kind: "phone_error",
      message,
    });
  });

  it.each([
    ["country_hourly_limit", 900, "numbers in your country this hour. Try again in 15 minutes."],
    ["global_hourly_limit", 1800, "as many codes as it may right now. Try again in 30 minutes."],
    [
      "suspected_fraud",
      3600,
      "Codes to numbers like this one are paused for a while. Try again in 1 hour, or use another mobile number.",
    ],
  ])("explains %s as a wait, with how long", (reason, retryAfter, text) => {
    const outcome = generateOutcome(
      apiError(429, { code: "rate_limited", message: "x", retryAfter, reason }),
    );
    expect(outcome).toMatchObject({ kind: "limited", waitSeconds: retryAfter });
    expect(outcome.kind === "limited" && outcome.message).toContain(text);
  });

  it("asks for the human check again when it was missing or failed", () => {
    expect(
      generateOutcome(apiError(403, { code: "challenge_failed", message: "x", reason: "missing" })),
    ).toEqual({
      kind: "challenge",
      message: "Complete the human check first, then send the code.",
    });
    expect(
      generateOutcome(apiError(403, { code: "challenge_failed", message: "x", reason: "invalid" })),
    ).toEqual({
      kind: "challenge",
      message: "The human check did not pass. Try it again, then send the code.",
    });
  });

  it("treats the resend cooldown as a wait on a code that already exists", () => {
    const outcome = generateOutcome(
      apiError(429, { code: "rate_limited", message: "x", retryAfter: 25, reason: "resend_cooldown" }, 25),
    );
    expect(outcome).toEqual({
      kind: "cooldown",
      waitSeconds: 25,
      message: "A code was sent to this number moments ago. Enter it, or ask for a new one in 25 seconds.",
    });
  });

  it("explains the hourly caps with the wait in minutes", () => {
    expect(
      generateOutcome(
        apiError(429, { code: "rate_limited", message: "x", retryAfter: 1500, reason: "phone_hourly_limit" }),
      ),
    ).toEqual({
      kind: "limited",
      waitSeconds: 1500,
      message: "Too many codes were sent to this number. Try again in 25 minutes.",
    });
    expect(
      generateOutcome(
        apiError(429, { code: "rate_limited", message: "x", retryAfter: 61, reason: "ip_hourly_limit" }),
      ),
    ).toMatchObject({
      kind: "limited",
      message: "Too many codes were requested from your network. Try again in 2 minutes.",
    });
  });

  it("falls back to the Retry-After header when the body has no retryAfter", () => {
    expect(generateOutcome(apiError(429, { code: "rate_limited", message: "x" }, 12))).toMatchObject({
      kind: "cooldown",
      waitSeconds: 12,
    });
  });

  it.each<[string, ApiResult, string]>([
    ["sms_send_failed", apiError(502, { code: "sms_send_failed", message: "x" }), "could not be sent"],
    ["service_unavailable", apiError(503, { code: "service_unavailable", message: "x" }), "busy right now"],
    ["a network failure", { kind: "network" }, "Could not reach the verification service"],
    ["invalid_request", apiError(400, { code: "invalid_request", message: "x" }), "Reload the page"],
    ["an unknown 500", apiError(500, { code: "internal_error", message: "x" }), "HTTP 500"],
    [
      "API Gateway's stage throttle",
      {
        kind: "error",
        status: 429,
        code: "unexpected_response",
        message: "",
        details: {},
        retryAfterHeader: 1,
      },
      "busy right now",
    ],
  ])("reports %s as a failure the person can retry", (_name, result, text) => {
    const outcome = generateOutcome(result);
    expect(outcome.kind).toBe("failed");
    expect(outcome).toMatchObject({ message: expect.stringContaining(text) });
  });
});

describe("validateOutcome", () => {
  it("returns the token on approval", () => {
    expect(
      validateOutcome({
        kind: "ok",
        status: 200,
        body: { status: "approved", token: "a.b.c", expiresIn: 600 },
      }),
    ).toEqual({ kind: "verified", token: "a.b.c", expiresIn: 600 });
  });

  it("refuses an approval without a token", () => {
    expect(validateOutcome({ kind: "ok", status: 200, body: { status: "approved" } }).kind).toBe("failed");
  });

  it.each([
    [4, "That code is not correct. 4 attempts left."],
    [1, "That code is not correct. 1 attempt left."],
    [0, "That code is not correct, and it was the last attempt. Send a new code."],
  ])("shows %i attempts remaining after invalid_code", (attemptsRemaining, message) => {
    expect(validateOutcome(apiError(403, { code: "invalid_code", message: "x", attemptsRemaining }))).toEqual(
      { kind: "wrong_code", attemptsRemaining, message },
    );
  });

  it("offers a new code on code_expired and too_many_attempts", () => {
    expect(validateOutcome(apiError(410, { code: "code_expired", message: "x" }))).toEqual({
      kind: "new_code_needed",
      message: "This code has expired or was already used. Send a new code.",
    });
    expect(validateOutcome(apiError(429, { code: "too_many_attempts", message: "x" }))).toEqual({
      kind: "new_code_needed",
      message: "Too many wrong attempts: this code is locked. Send a new code.",
    });
  });

  it("sends a refused number back to the phone step", () => {
    expect(validateOutcome(apiError(400, { code: "invalid_phone", message: "x" })).kind).toBe("phone_error");
  });

  it("reports network and service failures", () => {
    expect(validateOutcome({ kind: "network" }).kind).toBe("failed");
    expect(validateOutcome(apiError(503, { code: "service_unavailable", message: "x" }))).toMatchObject({
      kind: "failed",
      message: expect.stringContaining("busy"),
    });
  });
});

describe("normaliseCode", () => {
  it.each([
    ["123456", "123456"],
    [" 123 456 ", "123456"],
    ["123-456", "123456"],
    ["0042", "0042"],
  ])("%j -> %s (leading zeros kept)", (input, code) => {
    expect(normaliseCode(input)).toEqual({ ok: true, code });
  });

  it.each([
    ["", "empty"],
    ["  ", "empty"],
    ["12a456", "characters"],
    ["123", "length"],
    ["12345678901", "length"],
  ])("%j is refused as %s", (input, problem) => {
    expect(normaliseCode(input)).toEqual({ ok: false, problem });
  });
});

describe("codeFromPastedText", () => {
  it.each([
    ["123456", "123456"],
    ["123 456", "123456"],
    ["12-34-56", "123456"],
    ["\n004213\n", "004213"],
    ["123456 is your Demo verification code. It expires in 5 minutes.", "123456"],
    ["Your code: 98765432\n@app.example.com #98765432", "98765432"],
  ])("finds the code in %j", (text, code) => {
    expect(codeFromPastedText(text)).toBe(code);
  });

  it.each(["hello", "12", "call 123"])("leaves %j to the browser", (text) => {
    expect(codeFromPastedText(text)).toBeUndefined();
  });
});
