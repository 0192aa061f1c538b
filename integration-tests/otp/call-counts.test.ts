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

describe("AWS calls per operation (README: 'Cost per verification')", () => {
  it("generate: 2 DynamoDB writes (IP cap, phone record) + 1 SNS publish", async () => {
    const counter = new CallCounter();
    const handlers = await handlersFor(stack, {}, { counter });
    const phone = freshPhone();
    counter.reset();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    expect(counter.calls).toEqual([
      "dynamodb:UpdateItemCommand",
      "dynamodb:UpdateItemCommand",
      "sns:PublishCommand",
    ]);
  });

  it("validate: 2 DynamoDB writes on success (count the attempt, consume), 1 on a wrong code", async () => {
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
    expect(counter.calls).toEqual(["dynamodb:UpdateItemCommand"]);

    counter.reset();
    expect((await handlers.validate(validateEvent(phone, code))).statusCode).toBe(200);
    expect(counter.calls).toEqual(["dynamodb:UpdateItemCommand", "dynamodb:UpdateItemCommand"]);
  });

  it("refusals cost one extra read, and bad input costs nothing", async () => {
    const counter = new CallCounter();
    const handlers = await handlersFor(stack, {}, { counter });
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    counter.reset();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(429);
    // IP slot, refused phone write, the read that says why, and the IP slot given back.
    expect(counter.calls).toEqual([
      "dynamodb:UpdateItemCommand",
      "dynamodb:UpdateItemCommand",
      "dynamodb:GetItemCommand",
      "dynamodb:UpdateItemCommand",
    ]);
    counter.reset();
    expect((await handlers.generate(generateEvent("not a phone"))).statusCode).toBe(400);
    expect(counter.calls).toEqual([]);
  });
});
