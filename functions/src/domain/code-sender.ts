import { randomInt } from "node:crypto";
import { generateCode, newCodeId } from "./code.ts";
import { OtpError, RateLimitedError } from "./errors.ts";
import { breaksConversionRule, scopesOf } from "./fraud-rules.ts";
import { countryBudget, metricCountry, type OtpPolicy } from "./limits.ts";
import { maskPhone, parsePhone } from "./phone.ts";
import type {
  BotChallenge,
  Clock,
  KeyRing,
  OtpEventLog,
  OtpMetrics,
  OtpStore,
  RateWindow,
  ScopeSendResult,
  SendRefusal,
  SendState,
  SmsSender,
  TrafficScope,
} from "./ports.ts";
import { hourWindow, secondsUntil } from "./rate-window.ts";
import { RefusalMemory } from "./refusal-memory.ts";
import { renderSmsText } from "./sms-text.ts";
import { sourceKey } from "./traffic.ts";

export interface CodeSenderDependencies {
  readonly policy: OtpPolicy;
  readonly store: OtpStore;
  readonly sms: SmsSender;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly log: OtpEventLog;
  readonly metrics: OtpMetrics;
  /** A human check before anything is counted; none configured: no check. */
  readonly challenge?: BotChallenge | undefined;
}

export interface GenerateRequest {
  readonly phone: string;
  /** Source IP from the API Gateway event; without one the per-source cap cannot apply. */
  readonly sourceIp: string | undefined;
  /** The token of the page's bot challenge, when one is configured. */
  readonly challengeToken?: string | undefined;
}

export interface GenerateResult {
  readonly status: "pending";
  readonly expiresIn: number;
  readonly resendIn: number;
}

/**
 * Items of the service-wide ceiling: one per 36,000 sends an hour of ceiling (10 writes a second
 * on average, far below DynamoDB's 1,000 per partition), at most 10.
 */
const SENDS_PER_GLOBAL_SHARD = 36_000;
const MAX_GLOBAL_SHARDS = 10;

/** The ceiling item a send was counted in; test numbers count in none. */
type GlobalReservation = number | "skipped" | "refused";

/** What to give back when a send does not happen: the counts taken so far, undone in parallel. */
class Reservations {
  readonly #undo: Array<() => Promise<void>> = [];

  add(undo: () => Promise<void>): void {
    this.#undo.push(undo);
  }

  /** Undoes everything; a failed undo is logged, never thrown over the original failure. */
  async release(log: OtpEventLog): Promise<void> {
    const results = await Promise.allSettled(this.#undo.splice(0).map((undo) => undo()));
    for (const result of results) {
      // The caller must still learn what stopped the send; a lost refund costs one slot.
      if (result.status === "rejected") log.warn("otp.release_failed", {}, result.reason);
    }
  }
}

/**
 * Runs reservations side by side; each one that succeeded gets its undo registered before any
 * failure is thrown, so nothing half-counted stays behind.
 */
async function reserveTogether<T extends readonly unknown[]>(
  reservations: Reservations,
  steps: {
    [K in keyof T]: { run: () => Promise<T[K]>; undo: (value: T[K]) => (() => Promise<void>) | undefined };
  },
): Promise<T> {
  const settled = await Promise.allSettled(steps.map((step) => step.run()));
  settled.forEach((outcome, index) => {
    const undo = outcome.status === "fulfilled" ? steps[index]?.undo(outcome.value as never) : undefined;
    if (undo) reservations.add(undo);
  });
  const failure = settled.find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * The `generate` use case. Every limit is checked and counted atomically before the SMS goes out,
 * cheapest refusal first, and whatever was counted is given back if the send does not happen, so
 * a retry works and budgets count only SMS sent:
 *
 * 1. the number (mobile, allowed country) and the bot challenge: nothing counted yet;
 * 2. the source's hourly cap and the number's range (blocked? conversion rule), side by side;
 * 3. the country (blocked? hourly budget, conversion rule) and the service-wide ceiling, side by side;
 * 4. the phone's cooldown and hourly cap, with the new code;
 * 5. the SMS.
 */
export class CodeSender {
  readonly #deps: CodeSenderDependencies;
  readonly #globalShards: number;
  readonly #refusals = new RefusalMemory();

  constructor(deps: CodeSenderDependencies) {
    this.#deps = deps;
    const total = deps.policy.maxSendsPerHourTotal;
    this.#globalShards = Math.min(MAX_GLOBAL_SHARDS, Math.max(1, Math.ceil(total / SENDS_PER_GLOBAL_SHARD)));
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { policy, store, clock, keys, log } = this.#deps;
    const phone = parsePhone(request.phone, policy);
    const country = metricCountry(policy, phone.country);
    await this.#checkChallenge(request);

    const now = clock.now();
    const window = hourWindow(now);
    const masked = maskPhone(phone.e164);
    const fixedCode = policy.testNumbers.get(phone.e164);
    const code = fixedCode ?? generateCode(policy.length);
    const expiresAt = now + policy.ttlSeconds * 1000;
    // Ranges and countries are judged over this hour and the last, and a block may outlast both.
    const deleteAfter = Math.ceil(Math.max(expiresAt, window.endsAt) / 1000);
    const statsDeleteAfter = Math.ceil((window.endsAt + 3_600_000 + policy.fraud.blockSeconds * 1000) / 1000);
    const refuse = (
      reason: SendRefusal,
      retryAfterSeconds: number,
      fields: Record<string, string | number> = {},
    ) => {
      log.info("otp.send_refused", { phone: masked, reason, ...fields });
      this.#deps.metrics.sendRefused(reason);
      return new RateLimitedError(retryAfterSeconds, reason);
    };

    const reservations = new Reservations();
    // A scope whose conversion rule fires is blocked by the same write that gives its count back.
    const blocks = new Map<TrafficScope, number>();
    const scopeUndo = (scope: TrafficScope) => () => store.releaseScopeSend(scope, window, blocks.get(scope));
    try {
      // Test numbers never receive an SMS, so they count nowhere but against their source and phone.
      const scopes = fixedCode === undefined ? scopesOf(phone, policy.fraud) : {};
      for (const scope of [scopes.range, scopes.country]) {
        const known = scope && this.#refusals.recall(scope, now);
        if (scope && known) {
          throw refuse(known.reason, secondsUntil(known.until, now), {
            scope: scope.kind,
            [scope.kind]: scope.key,
          });
        }
      }
      const source = request.sourceIp ? sourceKey(request.sourceIp) : undefined;
      const [sourceAllowed, range] = await reserveTogether<[boolean, ScopeSendResult | undefined]>(
        reservations,
        [
          {
            run: async () =>
              source === undefined ||
              (await store.reserveSourceSend(source, window, policy.maxSendsPerIpPerHour, statsDeleteAfter)),
            undo: (reserved) =>
              reserved && source ? () => store.releaseSourceSend(source, window) : undefined,
          },
          {
            run: async () =>
              scopes.range &&
              store.reserveScopeSend(scopes.range, {
                window,
                now,
                budget: undefined,
                deleteAfter: statsDeleteAfter,
              }),
            undo: (result) => (result?.counted && scopes.range ? scopeUndo(scopes.range) : undefined),
          },
        ],
      );
      if (!sourceAllowed) throw refuse("ip_hourly_limit", secondsUntil(window.endsAt, now));
      if (range && scopes.range) this.#judge(scopes.range, range, now, blocks, refuse);

      const [country, globalShard] = await reserveTogether<[ScopeSendResult | undefined, GlobalReservation]>(
        reservations,
        [
          {
            run: async () =>
              scopes.country &&
              store.reserveScopeSend(scopes.country, {
                window,
                now,
                budget: countryBudget(policy.maxSendsPerCountryPerHour, scopes.country.key),
                deleteAfter: statsDeleteAfter,
              }),
            undo: (result) => (result?.counted && scopes.country ? scopeUndo(scopes.country) : undefined),
          },
          {
            run: async () =>
              fixedCode === undefined ? this.#reserveGlobal(window, statsDeleteAfter) : "skipped",
            undo: (reserved) =>
              typeof reserved === "number" ? () => store.releaseGlobalSend(window, reserved) : undefined,
          },
        ],
      );
      if (country && scopes.country) {
        if (!country.counted && !(country.blockedUntil !== undefined && country.blockedUntil > now)) {
          const budget = countryBudget(policy.maxSendsPerCountryPerHour, scopes.country.key);
          // Below the budget after all: a concurrent send gave its count back meanwhile.
          if (country.sendsThisHour < budget)
            throw refuse("country_hourly_limit", 1, { country: scopes.country.key });
          this.#refusals.remember(scopes.country, "country_hourly_limit", window.endsAt, now);
          throw refuse("country_hourly_limit", secondsUntil(window.endsAt, now), {
            country: scopes.country.key,
          });
        }
        this.#judge(scopes.country, country, now, blocks, refuse);
      }
      if (globalShard === "refused") throw refuse("global_hourly_limit", secondsUntil(window.endsAt, now));

      const issued = await store.issueCode({
        phone: phone.e164,
        codeHash: keys.current().hasher.hash(phone.e164, code),
        keyId: keys.current().kid,
        codeId: newCodeId(),
        now,
        expiresAt,
        lastSentNotAfter: now - policy.resendCooldownSeconds * 1000,
        window,
        maxSendsInWindow: policy.maxSendsPerHour,
        deleteAfter,
      });
      if (!issued.issued) {
        const [reason, retryAfter] = this.#phoneRefusal(issued.state, now, window.endsAt);
        throw refuse(reason, retryAfter);
      }
      reservations.add(() => store.revertIssue(issued.receipt));

      if (fixedCode === undefined) {
        try {
          await this.#deps.sms.send({ phone: phone.e164, text: this.#smsText(code) });
        } catch (error) {
          log.warn("otp.sms_failed", { phone: masked }, error);
          throw error;
        }
      }
    } catch (error) {
      await reservations.release(log);
      throw error;
    }

    this.#deps.metrics.codeSent(country);
    log.info("otp.sent", {
      phone: masked,
      country: phone.country ?? "test",
      testNumber: fixedCode !== undefined,
    });
    return { status: "pending", expiresIn: policy.ttlSeconds, resendIn: policy.resendCooldownSeconds };
  }

  async #checkChallenge(request: GenerateRequest): Promise<void> {
    const { challenge, log, metrics } = this.#deps;
    if (!challenge) return;
    const token = request.challengeToken?.trim();
    const passed = token ? await challenge.verify(token, request.sourceIp) : false;
    if (passed) return;
    const reason = token ? "invalid" : "missing";
    log.info("otp.challenge_failed", { reason });
    metrics.sendRefused("challenge_failed");
    throw new OtpError(
      "challenge_failed",
      token ? "The human check did not pass. Try it again." : "Complete the human check first.",
      { reason },
    );
  }

  /**
   * Refuses a send the scope's answer does not allow: the scope is blocked, or this send breaks
   * its conversion rule, which blocks it (the block is written when the count is given back). A
   * counted send that passes stays counted.
   */
  #judge(
    scope: TrafficScope,
    result: ScopeSendResult,
    now: number,
    blocks: Map<TrafficScope, number>,
    refuse: (reason: SendRefusal, retryAfter: number, fields?: Record<string, string | number>) => Error,
  ): void {
    const { policy, log, metrics } = this.#deps;
    const fields = { scope: scope.kind, [scope.kind]: scope.key };
    if (!result.counted) {
      // Blocked already (the only other refusal, a spent budget, is the caller's to tell).
      if (result.blockedUntil !== undefined)
        this.#refusals.remember(scope, "suspected_fraud", result.blockedUntil, now);
      throw refuse("suspected_fraud", secondsUntil(result.blockedUntil ?? now, now), fields);
    }
    const rule = scope.kind === "range" ? policy.fraud.prefix : policy.fraud.country;
    if (!breaksConversionRule(result.stats, rule)) return;
    const blockedUntil = now + policy.fraud.blockSeconds * 1000;
    blocks.set(scope, blockedUntil);
    this.#refusals.remember(scope, "suspected_fraud", blockedUntil, now);
    log.warn("otp.scope_blocked", {
      ...fields,
      sends: result.stats.sends - 1,
      verified: result.stats.verified,
      blockedUntil: new Date(blockedUntil).toISOString(),
    });
    metrics.scopeBlocked(scope.kind);
    throw refuse("suspected_fraud", policy.fraud.blockSeconds, fields);
  }

  /**
   * One send against the service-wide ceiling: the share of a random item, and when that one is
   * full a second random one, so the ceiling refuses only once it is nearly reached.
   */
  async #reserveGlobal(window: RateWindow, deleteAfter: number): Promise<GlobalReservation> {
    const { store, policy } = this.#deps;
    const shards = this.#globalShards;
    const total = policy.maxSendsPerHourTotal;
    const share = (index: number) => Math.floor(total / shards) + (index < total % shards ? 1 : 0);
    const first = randomInt(shards);
    if (await store.reserveGlobalSend(window, first, share(first), deleteAfter)) return first;
    if (shards === 1) return "refused";
    const second = (first + 1 + randomInt(shards - 1)) % shards;
    return (await store.reserveGlobalSend(window, second, share(second), deleteAfter)) ? second : "refused";
  }

  #phoneRefusal(state: SendState, now: number, windowEndsAt: number): [SendRefusal, number] {
    const { policy } = this.#deps;
    const cooldownEndsAt = (state.lastSentAt ?? 0) + policy.resendCooldownSeconds * 1000;
    if (cooldownEndsAt > now) return ["resend_cooldown", secondsUntil(cooldownEndsAt, now)];
    if (state.sendsInWindow >= policy.maxSendsPerHour)
      return ["phone_hourly_limit", secondsUntil(windowEndsAt, now)];
    // The conflicting write is gone by the time we looked (a concurrent rollback): ask for a
    // short wait rather than sending a second SMS that the winner did not expect.
    return ["resend_cooldown", 1];
  }

  #smsText(code: string): string {
    const { policy } = this.#deps;
    return renderSmsText({
      template: policy.smsTemplate,
      code,
      appName: policy.appName,
      ttlSeconds: policy.ttlSeconds,
      webOtpDomain: policy.webOtpDomain,
    });
  }
}
