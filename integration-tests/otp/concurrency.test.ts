import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor } from "./harness.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

function tally(results: { statusCode: number; body: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = `${result.statusCode} ${bodyOf(result).error?.code ?? "ok"}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("atomicity under concurrent requests", () => {
  it("20 concurrent validations of one right code give exactly one 200", async () => {
    const handlers = await handlersFor(stack, { OTP_MAX_ATTEMPTS: "20" });
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const code = codeFrom(
      (await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message,
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, () => handlers.validate(validateEvent(phone, code))),
    );
    const counts = tally(results);
    expect(counts["200 ok"]).toBe(1);
    expect(counts["410 code_expired"]).toBe(19);
  });

  it("30 concurrent wrong guesses evaluate at most OTP_MAX_ATTEMPTS of them", async () => {
    const handlers = await handlersFor(stack);
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const code = codeFrom(
      (await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message,
    );
    const wrong = code === "000000" ? "111111" : "000000";
    const results = await Promise.all(
      Array.from({ length: 30 }, () => handlers.validate(validateEvent(phone, wrong))),
    );
    const counts = tally(results);
    expect(counts).toEqual({ "403 invalid_code": 5, "429 too_many_attempts": 25 });
    const remaining = results
      .filter((result) => result.statusCode === 403)
      .map((result) => bodyOf(result).error?.attemptsRemaining)
      .sort();
    expect(remaining).toEqual([0, 1, 2, 3, 4]);
    // And the right code is now refused too: the code is locked.
    expect((await handlers.validate(validateEvent(phone, code))).statusCode).toBe(429);
  });

  it("20 concurrent generates for one phone send exactly one SMS", async () => {
    const handlers = await handlersFor(stack);
    const phone = freshPhone();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => handlers.generate(generateEvent(phone))),
    );
    expect(tally(results)).toEqual({ "202 ok": 1, "429 rate_limited": 19 });
    await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 });
    // Give any stray second publish time to arrive before counting.
    await expect(stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 1500 })).rejects.toThrow();
  });
});
