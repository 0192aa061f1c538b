import { CodeSender } from "../../src/domain/code-sender.ts";
import { CodeVerifier } from "../../src/domain/code-verifier.ts";
import { OtpError, SmsSendError } from "../../src/domain/errors.ts";
import { type ServiceKey, serviceKey } from "../../src/domain/keys.ts";
import type { OtpPolicy } from "../../src/domain/limits.ts";
import type { BotChallenge, KeyRing, SmsMessage, TokenSigner } from "../../src/domain/ports.ts";
import { InMemoryOtpStore } from "./in-memory-store.ts";
import { BASE_POLICY, RecordingMetrics } from "./policy.ts";

/**
 * Both use cases over one in-memory store, with a movable clock, a recording SMS sender that can
 * be told to fail, recorded logs and metrics, and optionally a bot challenge.
 */
export function setup(policy: Partial<OtpPolicy> = {}, options: { challenge?: BotChallenge } = {}) {
  const store = new InMemoryOtpStore();
  const sent: SmsMessage[] = [];
  const clock = { time: Date.UTC(2026, 0, 1, 12, 0, 0), now: () => clock.time };
  const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  let smsFails = false;
  const tokens: TokenSigner = { sign: async (phone) => ({ token: `token-for-${phone}`, expiresIn: 600 }) };
  const metrics = new RecordingMetrics();
  const common = {
    metrics,
    policy: { ...BASE_POLICY, ...policy },
    store,
    clock,
    keys: staticKeys("unit-test-secret-unit-test-secret"),
    log: {
      info: (message: string, fields: Record<string, unknown>) => logs.push({ message, fields }),
      warn: (message: string, fields: Record<string, unknown>) => logs.push({ message, fields }),
    },
  };
  const sender = new CodeSender({
    ...common,
    challenge: options.challenge,
    sms: {
      send: async (message) => {
        if (smsFails) throw new SmsSendError();
        sent.push(message);
      },
    },
  });
  const verifier = new CodeVerifier({ ...common, tokens });
  const lastCode = () => sent.at(-1)?.text.slice(0, 6) ?? "";
  /** The code most recently texted to a phone. */
  const codeFor = (phone: string) =>
    [...sent]
      .reverse()
      .find((sms) => sms.phone === phone)
      ?.text.slice(0, 6) ?? "";
  return {
    sender,
    verifier,
    metrics,
    store,
    sent,
    clock,
    logs,
    lastCode,
    codeFor,
    failSms: (fail: boolean) => {
      smsFails = fail;
    },
  };
}

/** One key, never rotated (what OTP_TOKEN_SECRET gives). */
function staticKeys(secret: string): KeyRing {
  const key: ServiceKey = serviceKey(secret);
  return {
    current: () => key,
    find: async (kid) => (kid === undefined || kid === key.kid ? key : undefined),
  };
}

/** The OtpError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<OtpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OtpError) return error;
    throw error;
  }
  throw new Error("expected an OtpError");
}
