import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { CallCounter, codeFrom, freshPhone, handlersFor } from "./harness.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

/** The calls in an order that does not depend on which of the parallel ones answered first. */
const sorted = (calls: readonly string[]) => [...calls].sort();

describe("AWS calls per operation (README: 'Data model and AWS calls')", () => {
  it("generate: 5 DynamoDB writes (source, range, country, ceiling, phone) + 1 SNS publish", async () => {
    const counter = new CallCounter();
    const handlers = await handlersFor(stack, {}, { counter });
    const phone = freshPhone();
    counter.reset();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    expect(sorted(counter.calls)).toEqual([
      "dynamodb:UpdateItem COUNTRY",
      "dynamodb:UpdateItem GLOBAL",
      "dynamodb:UpdateItem IP",
      "dynamodb:UpdateItem PHONE",
      "dynamodb:UpdateItem RANGE",
      "sns:Publish",
    ]);
    // The phone write waits for the four counters; the SMS for the phone write.
    expect(counter.calls.slice(-2)).toEqual(["dynamodb:UpdateItem PHONE", "sns:Publish"]);
  });

  it("validate: 4 DynamoDB writes on success (attempt, consume, two verification counts), 1 on a wrong code", async () => {
    const counter = new CallCounter();
    const handlers = await handlersFor(stack, {}, { counter });
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const code = codeFrom(
      (await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message,
    );

    counter.reset();
    expect(
      (await handlers.validate(validateEvent(phone, code === "000000" ? "111111" : "000000"))).statusCode,
    ).toBe(403);
    expect(counter.calls).toEqual(["dynamodb:UpdateItem PHONE"]);

    counter.reset();
    expect((await handlers.validate(validateEvent(phone, code))).statusCode).toBe(200);
    expect(sorted(counter.calls)).toEqual([
      "dynamodb:UpdateItem COUNTRY",
      "dynamodb:UpdateItem PHONE",
      "dynamodb:UpdateItem PHONE",
      "dynamodb:UpdateItem RANGE",
    ]);
  });

  it("a refused send reads why once and gives back the counts it took; bad input costs nothing", async () => {
    const counter = new CallCounter();
    const handlers = await handlersFor(stack, {}, { counter });
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    counter.reset();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(429);
    expect(sorted(counter.calls)).toEqual(
      sorted([
        // the four counters, given back
        "dynamodb:UpdateItem COUNTRY",
        "dynamodb:UpdateItem COUNTRY",
        "dynamodb:UpdateItem GLOBAL",
        "dynamodb:UpdateItem GLOBAL",
        "dynamodb:UpdateItem IP",
        "dynamodb:UpdateItem IP",
        // the refused phone write, and the read that says why (the resend cooldown)
        "dynamodb:GetItem PHONE",
        "dynamodb:UpdateItem PHONE",
        "dynamodb:UpdateItem RANGE",
        "dynamodb:UpdateItem RANGE",
      ]),
    );
    counter.reset();
    expect((await handlers.generate(generateEvent("not a phone"))).statusCode).toBe(400);
    expect(counter.calls).toEqual([]);
  });
});
