import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPhoneToken } from "#functions/verify-phone-token";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor, ManualClock, scanTable } from "./harness.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

async function sendCode(handlers: Awaited<ReturnType<typeof handlersFor>>, phone: string): Promise<string> {
  expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
  return codeFrom((await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message);
}

function wrongCodeFor(code: string): string {
  return code === "000000" ? "111111" : "000000";
}

describe("POST /validate against the emulated AWS backend", () => {
  it("approves the right code with a token a downstream backend can verify, and consumes it", async () => {
    const handlers = await handlersFor(stack, { OTP_TOKEN_AUDIENCE: "my-app" });
    const phone = freshPhone();
    const code = await sendCode(handlers, phone);
    const approved = await handlers.validate(validateEvent(phone, code));
    expect(approved.statusCode).toBe(200);
    const body = bodyOf(approved);
    expect(body).toMatchObject({ status: "approved", expiresIn: 600 });
    const verified = await verifyPhoneToken(String(body.token), {
      secrets: [stack.env().OTP_TOKEN_SECRET ?? ""],
      issuer: "sms-otp",
      audience: "my-app",
    });
    expect(verified.phone).toBe(phone);
    // Single use: the same code again finds no live code.
    const again = await handlers.validate(validateEvent(phone, code));
    expect([again.statusCode, bodyOf(again).error?.code]).toEqual([410, "code_expired"]);
    const record = (await scanTable(stack)).find((item) => item.pk === `PHONE#${phone}`);
    expect(record?.codeHash).toBeUndefined();
  });

  it("counts wrong attempts, then locks with 429 too_many_attempts", async () => {
    const handlers = await handlersFor(stack, { OTP_MAX_ATTEMPTS: "3" });
    const phone = freshPhone();
    const code = await sendCode(handlers, phone);
    const remaining: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await handlers.validate(validateEvent(phone, wrongCodeFor(code)));
      expect(result.statusCode).toBe(403);
      remaining.push(bodyOf(result).error?.attemptsRemaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const locked = await handlers.validate(validateEvent(phone, code));
    expect([locked.statusCode, bodyOf(locked).error?.code]).toEqual([429, "too_many_attempts"]);
  });

  it("refuses a code after its expiry (checked on read, not left to TTL)", async () => {
    const clock = new ManualClock();
    const handlers = await handlersFor(stack, { OTP_TTL_SECONDS: "60" }, { clock });
    const phone = freshPhone();
    const code = await sendCode(handlers, phone);
    clock.advance(59);
    const fresh = freshPhone();
    const other = await sendCode(handlers, fresh);
    expect((await handlers.validate(validateEvent(fresh, other))).statusCode).toBe(200);
    clock.advance(1);
    const expired = await handlers.validate(validateEvent(phone, code));
    expect([expired.statusCode, bodyOf(expired).error?.code]).toEqual([410, "code_expired"]);
  });

  it("voids the old code when a new one is sent", async () => {
    const clock = new ManualClock();
    const handlers = await handlersFor(stack, {}, { clock });
    const phone = freshPhone();
    const first = await sendCode(handlers, phone);
    clock.advance(30);
    const second = await sendCode(handlers, phone);
    if (first !== second) {
      const old = await handlers.validate(validateEvent(phone, first));
      expect([old.statusCode, bodyOf(old).error?.code]).toEqual([403, "invalid_code"]);
    }
    expect((await handlers.validate(validateEvent(phone, second))).statusCode).toBe(200);
  });

  it("answers 410 when no code was ever sent", async () => {
    const handlers = await handlersFor(stack);
    const result = await handlers.validate(validateEvent(freshPhone(), "123456"));
    expect([result.statusCode, bodyOf(result).error?.code]).toEqual([410, "code_expired"]);
  });

  it("accepts the fixed code of a test number", async () => {
    const handlers = await handlersFor(stack, { OTP_TEST_NUMBERS: "+15005550009=135790" });
    expect((await handlers.generate(generateEvent("+15005550009"))).statusCode).toBe(202);
    expect((await handlers.validate(validateEvent("+15005550009", "135790"))).statusCode).toBe(200);
  });
});
