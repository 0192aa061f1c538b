import { describe, expect, it } from "vitest";
import { apiGatewayEvent, bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { inMemoryHandlers } from "../support/handlers.ts";

const PHONE = "+14155550123";

describe("request handling shared by both endpoints", () => {
  it.each([
    ["text/plain", 415, "unsupported_media_type"],
    ["application/x-www-form-urlencoded", 415, "unsupported_media_type"],
    ["application/json; charset=utf-8", 202, undefined],
    ["Application/JSON", 202, undefined],
  ])("content-type %s -> %i", async (contentType, status, code) => {
    const { handlers } = await inMemoryHandlers();
    const result = await handlers.generate(
      apiGatewayEvent({ body: { phone: PHONE }, headers: { "content-type": contentType } }),
    );
    expect(result.statusCode).toBe(status);
    if (code) expect(bodyOf(result).error?.code).toBe(code);
  });

  it("refuses a request without content-type with 415", async () => {
    const { handlers } = await inMemoryHandlers();
    const event = apiGatewayEvent({ body: { phone: PHONE } });
    event.headers = {};
    expect((await handlers.generate(event)).statusCode).toBe(415);
  });

  it("refuses bodies over 4 KiB with 413, also when base64-encoded", async () => {
    const { handlers } = await inMemoryHandlers();
    const big = JSON.stringify({ phone: PHONE, padding: "x".repeat(4100) });
    for (const event of [
      apiGatewayEvent({ rawBody: big }),
      apiGatewayEvent({ rawBody: Buffer.from(big).toString("base64"), isBase64Encoded: true }),
    ]) {
      const result = await handlers.generate(event);
      expect(result.statusCode).toBe(413);
      expect(bodyOf(result).error).toMatchObject({ code: "payload_too_large", maxBytes: 4096 });
    }
  });

  it("reads base64-encoded bodies", async () => {
    const { handlers } = await inMemoryHandlers();
    const raw = Buffer.from(JSON.stringify({ phone: PHONE })).toString("base64");
    expect(
      (await handlers.generate(apiGatewayEvent({ rawBody: raw, isBase64Encoded: true }))).statusCode,
    ).toBe(202);
  });

  it.each([
    ["malformed JSON", '{"phone": '],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["a number phone", JSON.stringify({ phone: 14155550123 })],
    ["a missing phone", JSON.stringify({})],
    ["a client-supplied SMS text", JSON.stringify({ phone: PHONE, message: "Your bank code: " })],
    ["a client-chosen code length", JSON.stringify({ phone: PHONE, digits: 1 })],
  ])("refuses %s with 400 invalid_request", async (_case, rawBody) => {
    const { handlers, sent } = await inMemoryHandlers();
    const result = await handlers.generate(apiGatewayEvent({ rawBody }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.code).toBe("invalid_request");
    expect(sent).toEqual([]);
  });

  it("names unknown fields in the message", async () => {
    const { handlers } = await inMemoryHandlers();
    const result = await handlers.generate(apiGatewayEvent({ body: { phone: PHONE, digits: 4 } }));
    expect(bodyOf(result).error?.message).toContain("unknown field(s): digits");
  });

  it("maps phone problems to invalid_phone and country_not_allowed", async () => {
    const { handlers } = await inMemoryHandlers({ OTP_ALLOWED_COUNTRIES: "US" });
    const invalid = await handlers.generate(generateEvent("4155550123"));
    expect([invalid.statusCode, bodyOf(invalid).error?.code]).toEqual([400, "invalid_phone"]);
    const foreign = await handlers.generate(generateEvent("+447400123456"));
    expect([foreign.statusCode, bodyOf(foreign).error?.code]).toEqual([403, "country_not_allowed"]);
  });

  it("sets JSON, no-store and nosniff on every response", async () => {
    const { handlers } = await inMemoryHandlers();
    for (const result of [
      await handlers.generate(generateEvent(PHONE)),
      await handlers.validate(validateEvent(PHONE, "abc")),
    ]) {
      expect(result.headers).toMatchObject({
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
    }
  });

  it("sends Retry-After with rate_limited", async () => {
    const { handlers } = await inMemoryHandlers();
    await handlers.generate(generateEvent(PHONE));
    const limited = await handlers.generate(generateEvent(PHONE));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.["retry-after"]).toBe("30");
    expect(bodyOf(limited).error).toMatchObject({
      code: "rate_limited",
      retryAfter: 30,
      reason: "resend_cooldown",
    });
  });
});

describe("CORS on actual responses", () => {
  it("echoes an allowed origin and exposes Retry-After", async () => {
    const { handlers } = await inMemoryHandlers({ ALLOWED_ORIGINS: "https://app.example.com" });
    const result = await handlers.generate(
      generateEvent(PHONE, { headers: { Origin: "https://app.example.com" } }),
    );
    expect(result.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "Retry-After",
      vary: "Origin",
    });
  });

  it("gives other origins no CORS headers, also on errors", async () => {
    const { handlers } = await inMemoryHandlers({ ALLOWED_ORIGINS: "https://app.example.com" });
    for (const event of [
      generateEvent(PHONE, { headers: { origin: "https://evil.example" } }),
      generateEvent("nope", { headers: { origin: "https://evil.example" } }),
    ]) {
      const result = await handlers.generate(event);
      expect(result.headers?.["access-control-allow-origin"]).toBeUndefined();
    }
  });
});

describe("the validate endpoint", () => {
  it("returns the contract's shapes end to end", async () => {
    const { handlers, sent } = await inMemoryHandlers();
    const generated = await handlers.generate(generateEvent(PHONE));
    expect([generated.statusCode, bodyOf(generated)]).toEqual([
      202,
      { status: "pending", expiresIn: 300, resendIn: 30 },
    ]);
    const code = sent[0]?.text.slice(0, 6) ?? "";
    const wrong = await handlers.validate(validateEvent(PHONE, code === "000000" ? "999999" : "000000"));
    expect([wrong.statusCode, bodyOf(wrong).error]).toEqual([
      403,
      { code: "invalid_code", message: "The code is not correct.", attemptsRemaining: 4 },
    ]);
    const approved = await handlers.validate(validateEvent(PHONE, code));
    expect(approved.statusCode).toBe(200);
    expect(bodyOf(approved)).toEqual({
      status: "approved",
      token: expect.stringMatching(/^ey/),
      expiresIn: 600,
    });
    const reused = await handlers.validate(validateEvent(PHONE, code));
    expect([reused.statusCode, bodyOf(reused).error?.code]).toEqual([410, "code_expired"]);
  });

  it("refuses extra fields and non-string codes", async () => {
    const { handlers } = await inMemoryHandlers();
    for (const body of [
      { phone: PHONE, code: 123456 },
      { phone: PHONE, code: "123456", otp: "123456" },
      { phone: PHONE },
    ]) {
      const result = await handlers.validate(apiGatewayEvent({ path: "/validate", body }));
      expect([result.statusCode, bodyOf(result).error?.code]).toEqual([400, "invalid_request"]);
    }
  });
});
