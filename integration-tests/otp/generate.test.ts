import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiGatewayEvent, bodyOf, generateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor, ManualClock, scanTable } from "./harness.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

describe("POST /generate against the emulated AWS backend", () => {
  it("sends the server-built SMS through SNS and captures it in the SQS outbox", async () => {
    const handlers = await handlersFor(stack, { OTP_APP_NAME: "Acme" });
    const phone = freshPhone();
    const result = await handlers.generate(generateEvent(phone));
    expect([result.statusCode, bodyOf(result)]).toEqual([
      202,
      { status: "pending", expiresIn: 300, resendIn: 30 },
    ]);
    const sms = await stack.outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 });
    expect(sms.message).toMatch(/^\d{6} is your Acme verification code\. It expires in 5 minutes\.$/);
    expect(new Date(sms.timestamp).getTime()).not.toBeNaN();
  });

  it("uses a custom template, code length and the WebOTP line", async () => {
    const handlers = await handlersFor(stack, {
      OTP_LENGTH: "8",
      OTP_TTL_SECONDS: "120",
      OTP_APP_NAME: "Shop",
      OTP_SMS_TEMPLATE: "{app}: your code is {code} ({minutes} min)",
      OTP_WEBOTP_DOMAIN: "shop.example.com",
    });
    const phone = freshPhone();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    const sms = await stack.outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 });
    const code = codeFrom(sms.message, 8);
    expect(sms.message).toBe(`Shop: your code is ${code} (2 min)\n\n@shop.example.com #${code}`);
  });

  it("stores an HMAC, never the code, with a numeric ttl matching the expiry", async () => {
    const clock = new ManualClock();
    const handlers = await handlersFor(stack, {}, { clock });
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const code = codeFrom(
      (await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message,
    );
    const items = await scanTable(stack);
    const record = items.find((item) => item.pk === `PHONE#${phone}`);
    expect(record).toBeDefined();
    expect(JSON.stringify(items)).not.toContain(code);
    expect(record?.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record?.expiresAt).toBe(clock.time + 300_000);
    expect(typeof record?.ttl).toBe("number");
    // The record outlives the code by at most the hourly window it also counts.
    expect(record?.ttl as number).toBeGreaterThanOrEqual(Math.ceil((clock.time + 300_000) / 1000));
    expect(record?.ttl as number).toBeLessThanOrEqual(Math.ceil(clock.time / 1000) + 3600 + 300);
    expect(items.find((item) => String(item.pk).startsWith("IP#"))).toMatchObject({
      sends: expect.any(Number),
      ttl: expect.any(Number),
    });
  });

  it("enforces the resend cooldown with Retry-After, then allows a new code", async () => {
    const clock = new ManualClock();
    const handlers = await handlersFor(stack, {}, { clock });
    const phone = freshPhone();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    clock.advance(10);
    const limited = await handlers.generate(generateEvent(phone));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.["retry-after"]).toBe("20");
    expect(bodyOf(limited).error).toMatchObject({
      code: "rate_limited",
      retryAfter: 20,
      reason: "resend_cooldown",
    });
    clock.advance(20);
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
  });

  it("caps sends per phone per hour", async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 10, 0, 0));
    const handlers = await handlersFor(
      stack,
      { OTP_MAX_SENDS_PER_HOUR: "2", OTP_RESEND_COOLDOWN_SECONDS: "0" },
      { clock },
    );
    const phone = freshPhone();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    clock.advance(60);
    const limited = await handlers.generate(generateEvent(phone));
    expect(limited.statusCode).toBe(429);
    expect(bodyOf(limited).error).toMatchObject({ reason: "phone_hourly_limit", retryAfter: 3540 });
    clock.advance(3540);
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
  });

  it("caps sends per source IP per hour", async () => {
    const handlers = await handlersFor(stack, { OTP_MAX_SENDS_PER_IP_PER_HOUR: "2" });
    const sourceIp = "198.51.100.23";
    expect((await handlers.generate(generateEvent(freshPhone(), { sourceIp }))).statusCode).toBe(202);
    expect((await handlers.generate(generateEvent(freshPhone(), { sourceIp }))).statusCode).toBe(202);
    const limited = await handlers.generate(generateEvent(freshPhone(), { sourceIp }));
    expect(limited.statusCode).toBe(429);
    expect(bodyOf(limited).error).toMatchObject({ code: "rate_limited", reason: "ip_hourly_limit" });
    expect(Number(limited.headers?.["retry-after"])).toBeGreaterThan(0);
    // Another network is not affected.
    expect(
      (await handlers.generate(generateEvent(freshPhone(), { sourceIp: "198.51.100.24" }))).statusCode,
    ).toBe(202);
  });

  it("sends nothing to test numbers", async () => {
    const handlers = await handlersFor(stack, { OTP_TEST_NUMBERS: "+15005550006=424242" });
    expect((await handlers.generate(generateEvent("+15005550006"))).statusCode).toBe(202);
    await expect(
      stack.outbox.waitFor((m) => m.phone === "+15005550006", { timeoutMs: 1500 }),
    ).rejects.toThrow();
  });

  it.each([
    [{ phone: "+1 415 555 0100" }, 400, "invalid_phone"],
    [{ phone: "+447400123456" }, 403, "country_not_allowed"],
    [{ phone: "+14155550100", message: "Your bank code is " }, 400, "invalid_request"],
  ])("refuses %j with %i %s and sends nothing", async (body, status, code) => {
    const handlers = await handlersFor(stack, { OTP_ALLOWED_COUNTRIES: "US,CA" });
    const result = await handlers.generate(apiGatewayEvent({ path: "/generate", body }));
    expect([result.statusCode, bodyOf(result).error?.code]).toEqual([status, code]);
  });
});
