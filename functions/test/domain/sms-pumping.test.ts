import { describe, expect, it } from "vitest";
import { ServiceUnavailableError } from "../../src/domain/errors.ts";
import type { FraudRules } from "../../src/domain/limits.ts";
import type { BotChallenge } from "../../src/domain/ports.ts";
import { rejection, setup } from "../support/domain.ts";
import { BASE_POLICY } from "../support/policy.ts";

/** The n-th number of a range: `+1415555` + four digits (valid US mobiles). */
const inRange = (range: string, n: number) => `${range}${String(n).padStart(11 - range.length + 1, "0")}`;
const SF = "+1415555";
const NY = "+1212555";
const HOUR = 3_600_000;

function fraud(overrides: Partial<FraudRules>): FraudRules {
  return { ...BASE_POLICY.fraud, ...overrides };
}

async function sendAll(sender: ReturnType<typeof setup>["sender"], phones: readonly string[]) {
  const outcomes: string[] = [];
  for (const phone of phones) {
    try {
      await sender.generate({ phone, sourceIp: undefined });
      outcomes.push("sent");
    } catch (error) {
      outcomes.push(String((error as { details?: { reason?: string } }).details?.reason ?? error));
    }
  }
  return outcomes;
}

describe("the range rule (conversion per number range)", () => {
  it("lets exactly minSends codes reach a range nobody verifies, then blocks it for blockSeconds", async () => {
    const { sender, sent, metrics, logs } = setup();
    const outcomes = await sendAll(
      sender,
      Array.from({ length: 25 }, (_, i) => inRange(SF, i)),
    );
    expect(outcomes.filter((outcome) => outcome === "sent")).toHaveLength(20);
    expect(outcomes.slice(20)).toEqual(Array(5).fill("suspected_fraud"));
    expect(sent).toHaveLength(20);
    expect(metrics.counts.filter((count) => count === "blocked:range")).toHaveLength(1);
    const blocked = logs.find((log) => log.message === "otp.scope_blocked");
    expect(blocked?.fields).toMatchObject({ scope: "range", range: SF, sends: 20, verified: 0 });
    // Another range is not affected.
    await expect(sender.generate({ phone: inRange(NY, 1), sourceIp: undefined })).resolves.toMatchObject({
      status: "pending",
    });
  });

  it("tells a blocked range how long the block lasts", async () => {
    const { sender, clock } = setup();
    await sendAll(
      sender,
      Array.from({ length: 21 }, (_, i) => inRange(SF, i)),
    );
    clock.time += 600_000;
    const error = await rejection(sender.generate({ phone: inRange(SF, 99), sourceIp: undefined }));
    expect(error.details).toEqual({ retryAfter: 3000, reason: "suspected_fraud" });
  });

  it("keeps a range open while people verify their codes", async () => {
    const { sender, verifier, codeFor } = setup();
    for (let i = 0; i < 40; i++) {
      const phone = inRange(SF, i);
      await sender.generate({ phone, sourceIp: undefined });
      await verifier.validate({ phone, code: codeFor(phone) });
    }
  });

  it("blocks below minConversion and not at it", async () => {
    const run = async (verifiedCount: number) => {
      const { sender, verifier, codeFor } = setup();
      for (let i = 0; i < 20; i++) {
        const phone = inRange(SF, i);
        await sender.generate({ phone, sourceIp: undefined });
        if (i < verifiedCount) await verifier.validate({ phone, code: codeFor(phone) });
      }
      return sendAll(sender, [inRange(SF, 50)]);
    };
    expect(await run(4)).toEqual(["sent"]); // 4 of 20 = 0.2: not below
    expect(await run(3)).toEqual(["suspected_fraud"]);
  });

  it("blocks again after the block while the look-back still shows the attack, and forgets it after", async () => {
    const { sender, clock } = setup({ fraud: fraud({ blockSeconds: 600 }) });
    await sendAll(
      sender,
      Array.from({ length: 21 }, (_, i) => inRange(SF, i)),
    );
    clock.time += 601_000;
    expect(await sendAll(sender, [inRange(SF, 30)])).toEqual(["suspected_fraud"]);
    // Two hours on, the sends have left the look-back window (this hour and the last).
    clock.time += 2 * HOUR;
    expect(await sendAll(sender, [inRange(SF, 31)])).toEqual(["sent"]);
  });

  it("refuses a range it knows is blocked without asking the store, and asks again after a minute", async () => {
    const { sender, store, clock } = setup({ fraud: fraud({ blockSeconds: 7200 }) });
    await sendAll(
      sender,
      Array.from({ length: 21 }, (_, i) => inRange(SF, i)),
    );
    store.calls.length = 0;
    expect(await sendAll(sender, [inRange(SF, 40), inRange(SF, 41)])).toEqual([
      "suspected_fraud",
      "suspected_fraud",
    ]);
    expect(store.calls).toEqual([]);
    // The operator lifts the block (npm run unblock); this warm sender learns it within a minute.
    store.scopes.delete(`range#${SF}`);
    clock.time += 30_000;
    expect(await sendAll(sender, [inRange(SF, 42)])).toEqual(["suspected_fraud"]);
    clock.time += 31_000;
    expect(await sendAll(sender, [inRange(SF, 43)])).toEqual(["sent"]);
  });

  it("is off with minSends 0", async () => {
    const { sender } = setup({ fraud: fraud({ prefix: { minSends: 0, minConversion: 0.2 } }) });
    const outcomes = await sendAll(
      sender,
      Array.from({ length: 30 }, (_, i) => inRange(SF, i)),
    );
    expect(outcomes.every((outcome) => outcome === "sent")).toBe(true);
  });
});

describe("the country rule", () => {
  it("blocks a whole country whose sends are not verified, across many ranges", async () => {
    // Ranges of one number each, so only the country rule can fire.
    const { sender, metrics } = setup({
      fraud: fraud({ prefixDigits: 10, country: { minSends: 10, minConversion: 0.1 } }),
    });
    const outcomes = await sendAll(
      sender,
      Array.from({ length: 12 }, (_, i) => inRange(SF, i * 7)),
    );
    expect(outcomes).toEqual([...Array(10).fill("sent"), "suspected_fraud", "suspected_fraud"]);
    expect(metrics.counts).toContain("blocked:country");
    // Every US number is refused now; a GB mobile is not.
    expect(await sendAll(sender, ["+12125550199", "+447400123456"])).toEqual(["suspected_fraud", "sent"]);
  });
});

describe("send budgets", () => {
  it("caps sends per country per hour, with a budget per country and one for the rest", async () => {
    const { sender, clock } = setup({
      maxSendsPerCountryPerHour: { byCountry: new Map([["US", 3]]), otherwise: 1 },
    });
    expect(await sendAll(sender, [inRange(SF, 1), inRange(SF, 2), inRange(NY, 3)])).toEqual([
      "sent",
      "sent",
      "sent",
    ]);
    const error = await rejection(sender.generate({ phone: inRange(NY, 4), sourceIp: undefined }));
    expect(error.details).toEqual({ retryAfter: 3600, reason: "country_hourly_limit" });
    expect(await sendAll(sender, ["+447400123456", "+447400123457"])).toEqual([
      "sent",
      "country_hourly_limit",
    ]);
    clock.time += HOUR;
    expect(await sendAll(sender, [inRange(NY, 4)])).toEqual(["sent"]);
  });

  it("counts only SMS sent: a send refused later gives its count back", async () => {
    const { sender } = setup({ maxSendsPerCountryPerHour: { byCountry: new Map(), otherwise: 2 } });
    await sender.generate({ phone: inRange(SF, 1), sourceIp: undefined });
    // Refused by the resend cooldown, after the country count was taken.
    expect(await sendAll(sender, [inRange(SF, 1), inRange(SF, 1)])).toEqual([
      "resend_cooldown",
      "resend_cooldown",
    ]);
    expect(await sendAll(sender, [inRange(SF, 2), inRange(SF, 3)])).toEqual(["sent", "country_hourly_limit"]);
  });

  it("gives every count back when the SMS fails", async () => {
    const { sender, store, failSms } = setup();
    failSms(true);
    await rejection(sender.generate({ phone: inRange(SF, 1), sourceIp: "203.0.113.9" }));
    const counts = [
      ...store.sourceSends.values(),
      ...store.globalSends.values(),
      ...[...store.scopes.values()].flatMap((scope) => [...scope.sends.values()]),
    ];
    expect(counts.length).toBeGreaterThanOrEqual(4);
    expect(counts.every((count) => count === 0)).toBe(true);
  });

  it("caps the whole service per hour", async () => {
    const { sender } = setup({ maxSendsPerHourTotal: 3 });
    const outcomes = await sendAll(sender, [inRange(SF, 1), "+447400123456", inRange(NY, 2), "+33612345678"]);
    expect(outcomes).toEqual(["sent", "sent", "sent", "global_hourly_limit"]);
  });

  it("never counts test numbers in ranges, countries or the ceiling", async () => {
    const { sender, store, clock } = setup({ maxSendsPerHourTotal: 1 });
    for (let i = 0; i < 3; i++) {
      await sender.generate({ phone: "+15005550006", sourceIp: undefined });
      clock.time += 31_000;
    }
    expect(store.scopes.size).toBe(0);
    expect(await sendAll(sender, [inRange(SF, 1)])).toEqual(["sent"]);
  });

  it("skips the conversion rules for exempt prefixes", async () => {
    const { sender, store } = setup({ fraud: fraud({ exemptPrefixes: [SF] }) });
    const outcomes = await sendAll(
      sender,
      Array.from({ length: 30 }, (_, i) => inRange(SF, i)),
    );
    expect(outcomes.every((outcome) => outcome === "sent")).toBe(true);
    expect(store.scopes.size).toBe(0);
  });
});

describe("sources", () => {
  it("caps an IPv6 subscriber by its /64 and IPv4 by address", async () => {
    const { sender } = setup({ maxSendsPerIpPerHour: 2 });
    const from = async (phone: string, sourceIp: string) => {
      try {
        await sender.generate({ phone, sourceIp });
        return "sent";
      } catch (error) {
        return String((error as { details?: { reason?: string } }).details?.reason);
      }
    };
    expect(await from(inRange(SF, 1), "2001:db8:1:2::1")).toBe("sent");
    expect(await from(inRange(SF, 2), "2001:db8:1:2:ffff::9")).toBe("sent");
    expect(await from(inRange(SF, 3), "2001:db8:1:2::3")).toBe("ip_hourly_limit");
    expect(await from(inRange(SF, 4), "2001:db8:1:3::1")).toBe("sent");
    expect(await from(inRange(SF, 5), "198.51.100.1")).toBe("sent");
    expect(await from(inRange(SF, 6), "198.51.100.2")).toBe("sent");
  });
});

describe("the bot challenge", () => {
  const challenge = (answer: boolean | Error): BotChallenge & { tokens: string[] } => {
    const tokens: string[] = [];
    return {
      tokens,
      verify: async (token) => {
        tokens.push(token);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
  };

  it("is checked before anything is counted", async () => {
    for (const [token, answer, reason] of [
      [undefined, true, "missing"],
      ["  ", true, "missing"],
      ["forged", false, "invalid"],
    ] as const) {
      const { sender, store, sent, metrics } = setup({}, { challenge: challenge(answer) });
      const error = await rejection(
        sender.generate({ phone: inRange(SF, 1), sourceIp: undefined, challengeToken: token }),
      );
      expect(error.code).toBe("challenge_failed");
      expect(error.details).toEqual({ reason });
      expect(store.calls).toEqual([]);
      expect(sent).toEqual([]);
      expect(metrics.counts).toEqual(["refused:challenge_failed"]);
    }
  });

  it("lets a solved challenge through", async () => {
    const check = challenge(true);
    const { sender, sent } = setup({}, { challenge: check });
    await sender.generate({ phone: inRange(SF, 1), sourceIp: undefined, challengeToken: "solved" });
    expect(check.tokens).toEqual(["solved"]);
    expect(sent).toHaveLength(1);
  });

  it("answers 503 when the provider cannot say, and counts nothing", async () => {
    const { sender, store } = setup({}, { challenge: challenge(new ServiceUnavailableError("down")) });
    const error = await rejection(
      sender.generate({ phone: inRange(SF, 1), sourceIp: undefined, challengeToken: "t" }),
    );
    expect(error.code).toBe("service_unavailable");
    expect(store.calls).toEqual([]);
  });
});

describe("metrics", () => {
  it("count sends, verifications and refusals, with countries the operator named and `other`", async () => {
    const { sender, verifier, codeFor, metrics } = setup({
      maxSendsPerCountryPerHour: { byCountry: new Map([["GB", 50]]), otherwise: 100 },
    });
    await sender.generate({ phone: "+447400123456", sourceIp: undefined });
    await verifier.validate({ phone: "+447400123456", code: codeFor("+447400123456") });
    await sender.generate({ phone: inRange(SF, 1), sourceIp: undefined });
    await rejection(sender.generate({ phone: inRange(SF, 1), sourceIp: undefined }));
    await sender.generate({ phone: "+15005550006", sourceIp: undefined });
    expect(metrics.counts).toEqual([
      "sent:GB",
      "verified:GB",
      "sent:other",
      "refused:resend_cooldown",
      "sent:test",
    ]);
  });
});
