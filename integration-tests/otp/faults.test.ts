import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { type FaultProxy, startFaultProxy } from "#test-support/fault-proxy";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor, scanTable } from "./harness.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

describe("a failed SMS publish", () => {
  it("answers 502 sms_send_failed, leaves nothing behind, and an immediate retry succeeds", async () => {
    const phone = freshPhone();
    const sourceIp = "192.0.2.77";
    // The same adapters, pointed at a topic that does not exist: SNS itself refuses the publish.
    const missingTopic = stack.resources.topicArn.replace(/:[^:]+$/, ":no-such-topic");
    const failing = await handlersFor(stack, { SMS_CAPTURE_TOPIC_ARN: missingTopic });
    const failed = await failing.generate(generateEvent(phone, { sourceIp }));
    expect(failed.statusCode).toBe(502);
    expect(bodyOf(failed).error?.code).toBe("sms_send_failed");

    const items = await scanTable(stack);
    expect(items.find((item) => item.pk === `PHONE#${phone}`)).toBeUndefined();
    const ipCounter = items.find((item) => String(item.pk).startsWith(`IP#${sourceIp}#`));
    expect(ipCounter?.sends ?? 0).toBe(0);

    const working = await handlersFor(stack);
    const retried = await working.generate(generateEvent(phone, { sourceIp }));
    expect(retried.statusCode).toBe(202);
    await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 });
  });

  it("restores the previous code when a resend fails", async () => {
    const phone = freshPhone();
    const working = await handlersFor(stack, { OTP_RESEND_COOLDOWN_SECONDS: "0" });
    await working.generate(generateEvent(phone));
    const sms = await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 });
    const before = (await scanTable(stack)).find((item) => item.pk === `PHONE#${phone}`);

    const missingTopic = stack.resources.topicArn.replace(/:[^:]+$/, ":no-such-topic");
    const failing = await handlersFor(stack, {
      SMS_CAPTURE_TOPIC_ARN: missingTopic,
      OTP_RESEND_COOLDOWN_SECONDS: "0",
    });
    expect((await failing.generate(generateEvent(phone))).statusCode).toBe(502);
    const after = (await scanTable(stack)).find((item) => item.pk === `PHONE#${phone}`);
    expect(after).toEqual(before);
    // The code the user already received still works.
    const code = sms.message.slice(0, 6);
    expect((await working.validate(validateEvent(phone, code))).statusCode).toBe(200);
  });
});

describe("an unreachable or stalled DynamoDB", () => {
  let blackHole: Server;
  const sockets = new Set<Socket>();
  let blackHolePort = 0;

  beforeAll(async () => {
    // Accepts connections and never answers: the SDK's request timeout must end the wait.
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const address = blackHole.address();
    blackHolePort = typeof address === "object" && address ? address.port : 0;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it("answers 503 service_unavailable when nothing listens", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        const port = typeof address === "object" && address ? address.port : 0;
        probe.close(() => resolve(port));
      });
    });
    const handlers = await handlersFor(stack, { AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}` });
    const result = await handlers.generate(generateEvent(freshPhone()));
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error?.code).toBe("service_unavailable");
    expect(result.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it("answers 503 service_unavailable when DynamoDB stalls (bounded by the SDK timeouts)", async () => {
    const handlers = await handlersFor(stack, { AWS_ENDPOINT_URL: `http://127.0.0.1:${blackHolePort}` });
    const result = await handlers.validate(validateEvent(freshPhone(), "123456"));
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error?.code).toBe("service_unavailable");
  });
});

describe("a write DynamoDB applied but whose answer was lost, which the SDK retries", () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(stack.endpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  const throughProxy = () => handlersFor(stack, { AWS_ENDPOINT_URL: proxy.endpoint });
  const smsCode = async (phone: string) =>
    codeFrom((await stack.outbox.waitFor((m) => m.phone === phone, { timeoutMs: 5000 })).message);

  it("the phone write: the retry is known as the same send (202, one SMS), not refused by its own cooldown", async () => {
    const handlers = await throughProxy();
    const phone = freshPhone();
    const rule = proxy.arm({ operation: "UpdateItem", item: "PHONE", fault: { kind: "lose-answer" } });
    const sent = await handlers.generate(generateEvent(phone));
    expect(rule.fired).toBe(1);
    expect(sent.statusCode).toBe(202);
    expect((await handlers.validate(validateEvent(phone, await smsCode(phone)))).statusCode).toBe(200);
  });

  it("the phone write, then a failed SMS: the unsent code is dropped and the retry works at once", async () => {
    const handlers = await throughProxy();
    const phone = freshPhone();
    proxy.arm({ operation: "UpdateItem", item: "PHONE", fault: { kind: "lose-answer" } });
    proxy.arm({ operation: "Publish", times: 2, fault: { kind: "status", status: 500 } });
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(502);
    const phoneItem = (await scanTable(stack)).find((item) => item.pk === `PHONE#${phone}`);
    expect(phoneItem?.codeHash).toBeUndefined();
    expect((await handlers.generate(generateEvent(phone))).statusCode).toBe(202);
    expect((await handlers.validate(validateEvent(phone, await smsCode(phone)))).statusCode).toBe(200);
  });

  it("consuming the code: the retry is known as the same validation (200), and the code stays single use", async () => {
    const handlers = await throughProxy();
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const code = await smsCode(phone);
    // The 1st UpdateItem on PHONE counts the attempt, the 2nd consumes the code.
    const rule = proxy.arm({
      operation: "UpdateItem",
      item: "PHONE",
      occurrence: 2,
      fault: { kind: "lose-answer" },
    });
    expect((await handlers.validate(validateEvent(phone, code))).statusCode).toBe(200);
    expect(rule.fired).toBe(1);
    expect((await handlers.validate(validateEvent(phone, code))).statusCode).toBe(410);
  });

  it("giving a count back: given back once, not twice", async () => {
    const handlers = await throughProxy();
    const phone = freshPhone();
    const sourceIp = "198.51.100.91";
    expect((await handlers.generate(generateEvent(phone, { sourceIp }))).statusCode).toBe(202);
    // Inside the cooldown: refused, and the source's count (the 2nd UpdateItem on IP) is given back.
    const rule = proxy.arm({
      operation: "UpdateItem",
      item: "IP",
      occurrence: 2,
      fault: { kind: "lose-answer" },
    });
    expect((await handlers.generate(generateEvent(phone, { sourceIp }))).statusCode).toBe(429);
    expect(rule.fired).toBe(1);
    const counter = (await scanTable(stack)).find((item) => String(item.pk).startsWith(`IP#${sourceIp}#`));
    expect(counter?.sends).toBe(1);
  });
});
