import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";
import { TurnstileChallenge } from "#functions/runtime";
import { apiGatewayEvent, bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor, ManualClock, scanTable } from "./harness.ts";

/**
 * Every refusal of the SMS-pumping defence, end to end: the real handlers and DynamoDB store
 * against the emulator, each case on numbers of its own.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

type Result = Awaited<ReturnType<Awaited<ReturnType<typeof handlersFor>>["generate"]>>;

function outcome(result: Result): string {
  if (result.statusCode === 202) return "sent";
  const error = bodyOf(result).error;
  return `${result.statusCode} ${error?.code}${error?.reason ? ` ${error.reason}` : ""}`;
}

const run = promisify(execFile);
const EMULATOR_ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

/** The per-source cap is not what these cases are about: every test event comes from one address. */
const MANY = { OTP_MAX_SENDS_PER_IP_PER_HOUR: "100000" };

/** Numbers of one range (+1 628 555 ....), which freshPhone never hands out. */
const inRange = (n: number) => `+1628555${String(n).padStart(4, "0")}`;

describe("SMS pumping defence against the emulated AWS backend", () => {
  it("refuses landlines, toll-free and premium numbers as invalid_phone not_mobile, before any AWS call", async () => {
    const handlers = await handlersFor(stack, MANY);
    for (const phone of ["+442079460958", "+18005550100", "+449098790000"]) {
      expect(outcome(await handlers.generate(generateEvent(phone)))).toBe("400 invalid_phone not_mobile");
    }
  });

  it("refuses numbers of no country (satellite, international networks, +800, +979) as country_not_allowed, storing nothing", async () => {
    const handlers = await handlersFor(stack, MANY);
    const phones = ["+881612345678", "+870773111632", "+882161234567", "+80012345678", "+979123456789"];
    for (const phone of phones) {
      const result = await handlers.generate(generateEvent(phone));
      expect(outcome(result)).toBe("403 country_not_allowed");
      expect(bodyOf(result).error?.country).toBe("international");
    }
    const stored = (await scanTable(stack)).filter((item) =>
      phones.some((phone) => String(item.pk).includes(phone)),
    );
    expect(stored).toEqual([]);
  });

  it("caps a country per hour (country_hourly_limit), counting only what was sent", async () => {
    const handlers = await handlersFor(stack, { ...MANY, OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "FR=2,*=1000" });
    const results = [];
    for (const phone of ["+33612345601", "+33612345602", "+33612345603"]) {
      results.push(outcome(await handlers.generate(generateEvent(phone))));
    }
    expect(results).toEqual(["sent", "sent", "429 rate_limited country_hourly_limit"]);
    const refused = await handlers.generate(generateEvent("+33612345604"));
    expect(Number(refused.headers?.["retry-after"])).toBeGreaterThan(0);
    expect(outcome(await handlers.generate(generateEvent(freshPhone())))).toBe("sent");
  });

  it("never lets concurrent sends overrun a country's budget", async () => {
    // One range: its conversion rule is off here, the budget is what is tested.
    const handlers = await handlersFor(stack, {
      ...MANY,
      OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "DE=10,*=1000",
      OTP_FRAUD_MIN_SENDS: "0",
    });
    const phones = Array.from({ length: 30 }, (_, i) => `+49151123456${String(i).padStart(2, "0")}`);
    const results = await Promise.all(phones.map((phone) => handlers.generate(generateEvent(phone))));
    const tally = results.map(outcome).reduce<Record<string, number>>((counts, key) => {
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {});
    expect(tally).toEqual({ sent: 10, "429 rate_limited country_hourly_limit": 20 });
  });

  it("caps the whole service per hour (global_hourly_limit)", async () => {
    // A table of its own: the ceiling counts every send of the table's service.
    const own = await createTestStack();
    try {
      const handlers = await handlersFor(own, { ...MANY, OTP_MAX_SENDS_PER_HOUR_TOTAL: "2" });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(outcome(await handlers.generate(generateEvent(freshPhone()))));
      expect(results).toEqual(["sent", "sent", "429 rate_limited global_hourly_limit"]);
    } finally {
      await own.cleanup();
    }
  });

  it("blocks a range nobody verifies after OTP_FRAUD_MIN_SENDS, even under concurrency, and not one people verify", async () => {
    const handlers = await handlersFor(stack, { ...MANY, OTP_FRAUD_MIN_SENDS: "5" });
    const pumped = await Promise.all(
      Array.from({ length: 12 }, (_, i) => handlers.generate(generateEvent(inRange(i)))),
    );
    expect(pumped.map(outcome).filter((result) => result === "sent")).toHaveLength(5);
    expect(
      pumped.map(outcome).filter((result) => result === "429 rate_limited suspected_fraud"),
    ).toHaveLength(7);
    const later = await handlers.generate(generateEvent(inRange(50)));
    expect(outcome(later)).toBe("429 rate_limited suspected_fraud");
    expect(Number(later.headers?.["retry-after"])).toBeGreaterThan(3000);

    // A range whose codes are verified stays open past the same count.
    for (let i = 0; i < 8; i++) {
      const phone = `+1628556${String(i).padStart(4, "0")}`;
      expect(outcome(await handlers.generate(generateEvent(phone)))).toBe("sent");
      const sms = await stack.outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 });
      expect((await handlers.validate(validateEvent(phone, codeFrom(sms.message)))).statusCode).toBe(200);
    }
  });

  it("blocks a country whose sends are not verified, across ranges", async () => {
    const handlers = await handlersFor(stack, {
      ...MANY,
      OTP_FRAUD_MIN_SENDS: "0",
      OTP_FRAUD_COUNTRY_MIN_SENDS: "4",
    });
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(outcome(await handlers.generate(generateEvent(`+3461${i}345678`))));
    }
    expect(results).toEqual([
      "sent",
      "sent",
      "sent",
      "sent",
      "429 rate_limited suspected_fraud",
      "429 rate_limited suspected_fraud",
    ]);
    const items = await scanTable(stack);
    const spain = items.find((item) => item.pk === "COUNTRY#ES");
    expect(spain?.blockedUntil).toBeGreaterThan(Date.now());
    expect(spain?.ttl).toBeGreaterThan(Date.now() / 1000);
  });

  it("lifts a block with `npm run unblock`", async () => {
    const clock = new ManualClock();
    const handlers = await handlersFor(stack, { ...MANY, OTP_FRAUD_MIN_SENDS: "2" }, { clock });
    const range = (n: number) => `+1628557${String(n).padStart(4, "0")}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(outcome(await handlers.generate(generateEvent(range(i)))));
    expect(results.slice(2)).toEqual([
      "429 rate_limited suspected_fraud",
      "429 rate_limited suspected_fraud",
    ]);
    // What the operator runs, against this backend: the same call works on AWS and LocalStack.
    const { stdout } = await run(
      process.execPath,
      ["scripts/unblock.ts", "+1628557", "--table", stack.resources.tableName],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...EMULATOR_ENV, AWS_ENDPOINT_URL: stack.endpoint, AWS_REGION: stack.region },
      },
    );
    expect(stdout).toContain(`unblocked the range +1628557 in ${stack.resources.tableName}`);
    // A warm function trusts what it learned for up to a minute, then asks the store again.
    clock.advance(61);
    expect(outcome(await handlers.generate(generateEvent(range(9))))).toBe("sent");
  });

  it("caps an IPv6 source by its /64 (ip_hourly_limit)", async () => {
    const handlers = await handlersFor(stack, { OTP_MAX_SENDS_PER_IP_PER_HOUR: "2" });
    const from = async (sourceIp: string) =>
      outcome(await handlers.generate(apiGatewayEvent({ body: { phone: freshPhone() }, sourceIp })));
    expect(await from("2001:db8:5:6::1")).toBe("sent");
    expect(await from("2001:db8:5:6:aaaa::2")).toBe("sent");
    expect(await from("2001:db8:5:6::3")).toBe("429 rate_limited ip_hourly_limit");
    expect(await from("2001:db8:5:7::1")).toBe("sent");
  });

  it("checks the bot challenge with Turnstile before counting anything (its HTTP call faked: no network here)", async () => {
    const seen: string[] = [];
    const fakeSiteverify: typeof fetch = async (_url, init) => {
      const form = new URLSearchParams(String(init?.body));
      seen.push(`${form.get("secret")}:${form.get("response")}:${form.get("remoteip")}`);
      return Response.json({ success: form.get("response") === "solved", "error-codes": [] });
    };
    const handlers = await handlersFor(
      stack,
      { ...MANY, OTP_TURNSTILE_SECRET_KEY: "0x4AAAAAAA-test" },
      {
        overrides: {
          challenge: new TurnstileChallenge({ secretKey: "0x4AAAAAAA-test", fetch: fakeSiteverify }),
        },
      },
    );
    const before = (await scanTable(stack)).length;
    const event = (body: Record<string, string>) => apiGatewayEvent({ body, sourceIp: "198.51.100.77" });
    expect(outcome(await handlers.generate(event({ phone: freshPhone() })))).toBe(
      "403 challenge_failed missing",
    );
    expect(outcome(await handlers.generate(event({ phone: freshPhone(), challenge: "forged" })))).toBe(
      "403 challenge_failed invalid",
    );
    expect((await scanTable(stack)).length).toBe(before);
    expect(outcome(await handlers.generate(event({ phone: freshPhone(), challenge: "solved" })))).toBe(
      "sent",
    );
    expect(seen).toEqual(["0x4AAAAAAA-test:forged:198.51.100.77", "0x4AAAAAAA-test:solved:198.51.100.77"]);
  });
});
