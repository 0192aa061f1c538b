import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../src/domain/errors.ts";
import { rejection, setup } from "../support/domain.ts";

const PHONE = "+14155550123";

describe("CodeSender.generate", () => {
  it("sends a code built from the server template and reports expiry and resend time", async () => {
    const { sender, sent } = setup();
    const result = await sender.generate({ phone: PHONE, sourceIp: "203.0.113.1" });
    expect(result).toEqual({ status: "pending", expiresIn: 300, resendIn: 30 });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.phone).toBe(PHONE);
    expect(sent[0]?.text).toMatch(/^\d{6} is your Acme code$/);
  });

  it("enforces the resend cooldown with the remaining wait", async () => {
    const { sender, clock } = setup();
    await sender.generate({ phone: PHONE, sourceIp: "203.0.113.1" });
    clock.time += 12_000;
    const error = await rejection(sender.generate({ phone: PHONE, sourceIp: "203.0.113.1" }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.details).toEqual({ retryAfter: 18, reason: "resend_cooldown" });
  });

  it("makes a new code on resend and voids the old one", async () => {
    const { sender, verifier, clock, lastCode } = setup();
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    const first = lastCode();
    clock.time += 31_000;
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    const second = lastCode();
    if (first !== second) {
      expect((await rejection(verifier.validate({ phone: PHONE, code: first }))).code).toBe("invalid_code");
    }
    await expect(verifier.validate({ phone: PHONE, code: second })).resolves.toMatchObject({
      status: "approved",
    });
  });

  it("caps sends per phone per hour and tells how long until the window resets", async () => {
    const { sender, clock } = setup({ resendCooldownSeconds: 0, maxSendsPerHour: 2 });
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    const error = await rejection(sender.generate({ phone: PHONE, sourceIp: undefined }));
    expect(error.details).toEqual({ retryAfter: 3600, reason: "phone_hourly_limit" });
    clock.time += 3600_000;
    await expect(sender.generate({ phone: PHONE, sourceIp: undefined })).resolves.toMatchObject({
      status: "pending",
    });
  });

  it("caps sends per IP and gives the slot back when the phone refuses", async () => {
    const { sender, store } = setup({ maxSendsPerIpPerHour: 2 });
    await sender.generate({ phone: PHONE, sourceIp: "198.51.100.7" });
    // Refused by the cooldown: the IP slot it took is released.
    expect(
      (await rejection(sender.generate({ phone: PHONE, sourceIp: "198.51.100.7" }))).details.reason,
    ).toBe("resend_cooldown");
    await sender.generate({ phone: "+14155550124", sourceIp: "198.51.100.7" });
    const error = await rejection(sender.generate({ phone: "+14155550125", sourceIp: "198.51.100.7" }));
    expect(error.details.reason).toBe("ip_hourly_limit");
    expect([...store.sourceSends.values()]).toEqual([2]);
  });

  it("rolls everything back when the SMS fails, so an immediate retry works", async () => {
    const { sender, store, sent, failSms } = setup();
    failSms(true);
    const error = await rejection(sender.generate({ phone: PHONE, sourceIp: "203.0.113.1" }));
    expect(error.code).toBe("sms_send_failed");
    expect(store.phones.has(PHONE)).toBe(false);
    expect([...store.sourceSends.values()]).toEqual([0]);
    failSms(false);
    await expect(sender.generate({ phone: PHONE, sourceIp: "203.0.113.1" })).resolves.toMatchObject({
      status: "pending",
    });
    expect(sent).toHaveLength(1);
  });

  it("sends no SMS to test numbers and accepts their fixed code", async () => {
    const { sender, verifier, sent } = setup();
    await sender.generate({ phone: "+15005550006", sourceIp: undefined });
    expect(sent).toEqual([]);
    await expect(verifier.validate({ phone: "+15005550006", code: "123456" })).resolves.toMatchObject({
      status: "approved",
    });
  });

  it("logs masked phones only", async () => {
    const { sender, verifier, logs, lastCode } = setup();
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    await verifier.validate({ phone: PHONE, code: lastCode() });
    const text = JSON.stringify(logs);
    expect(text).toContain("+1415*****23");
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(lastCode());
  });
});

describe("CodeVerifier.validate", () => {
  it("approves the right code once", async () => {
    const { sender, verifier, lastCode } = setup();
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    const code = lastCode();
    await expect(verifier.validate({ phone: PHONE, code })).resolves.toEqual({
      status: "approved",
      token: `token-for-${PHONE}`,
      expiresIn: 600,
    });
    expect((await rejection(verifier.validate({ phone: PHONE, code }))).code).toBe("code_expired");
  });

  it("counts wrong attempts, then locks", async () => {
    const { sender, verifier, lastCode } = setup({ maxAttempts: 3 });
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    const wrong = lastCode() === "000000" ? "111111" : "000000";
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      remaining.push(
        (await rejection(verifier.validate({ phone: PHONE, code: wrong }))).details.attemptsRemaining,
      );
    }
    expect(remaining).toEqual([2, 1, 0]);
    // Even the right code is refused once the code is locked.
    expect((await rejection(verifier.validate({ phone: PHONE, code: lastCode() }))).code).toBe(
      "too_many_attempts",
    );
  });

  it("refuses expired codes using the injected clock", async () => {
    const { sender, verifier, clock, lastCode } = setup();
    await sender.generate({ phone: PHONE, sourceIp: undefined });
    clock.time += 300_000;
    expect((await rejection(verifier.validate({ phone: PHONE, code: lastCode() }))).code).toBe(
      "code_expired",
    );
  });

  it("refuses codes of the wrong shape before touching the store", async () => {
    const { verifier, store } = setup();
    for (const code of ["12345", "1234567", "12345a", " 123456"]) {
      expect((await rejection(verifier.validate({ phone: PHONE, code }))).code).toBe("invalid_request");
    }
    expect(store.calls).toEqual([]);
  });
});
