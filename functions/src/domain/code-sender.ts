import { type CodeHasher, generateCode, newCodeId } from "./code.ts";
import { RateLimitedError } from "./errors.ts";
import type { OtpPolicy } from "./limits.ts";
import { maskPhone, parsePhone } from "./phone.ts";
import type { Clock, IssueReceipt, OtpEventLog, OtpStore, SendState, SmsSender } from "./ports.ts";
import { hourWindow, secondsUntil } from "./rate-window.ts";
import { renderSmsText } from "./sms-text.ts";

export interface CodeSenderDependencies {
  readonly policy: OtpPolicy;
  readonly store: OtpStore;
  readonly sms: SmsSender;
  readonly clock: Clock;
  readonly hasher: CodeHasher;
  readonly log: OtpEventLog;
}

export interface GenerateRequest {
  readonly phone: string;
  /** Source IP from the API Gateway event; without one the per-IP cap cannot apply. */
  readonly sourceIp: string | undefined;
}

export interface GenerateResult {
  readonly status: "pending";
  readonly expiresIn: number;
  readonly resendIn: number;
}

/** The `generate` use case: every limit checked and counted, then a fresh code sent by SMS. */
export class CodeSender {
  readonly #deps: CodeSenderDependencies;

  constructor(deps: CodeSenderDependencies) {
    this.#deps = deps;
  }

  /**
   * Sends a fresh code. Order matters: every limit is checked and counted atomically before the
   * SMS goes out, and whatever was counted is given back if the SMS fails, so a retry works.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { policy, store, clock, hasher, log } = this.#deps;
    const phone = parsePhone(request.phone, policy);
    const now = clock.now();
    const window = hourWindow(now);
    const masked = maskPhone(phone.e164);
    const fixedCode = policy.testNumbers.get(phone.e164);
    const code = fixedCode ?? generateCode(policy.length);
    const expiresAt = now + policy.ttlSeconds * 1000;
    const deleteAfter = Math.ceil(Math.max(expiresAt, window.endsAt) / 1000);

    const ip = request.sourceIp;
    if (ip) {
      const reserved = await store.reserveIpSend(ip, window, policy.maxSendsPerIpPerHour, deleteAfter);
      if (!reserved) {
        log.info("otp.send_refused", { phone: masked, reason: "ip_hourly_limit" });
        throw new RateLimitedError(secondsUntil(window.endsAt, now), "ip_hourly_limit");
      }
    }

    try {
      const issued = await store.issueCode({
        phone: phone.e164,
        codeHash: hasher.hash(phone.e164, code),
        codeId: newCodeId(),
        now,
        expiresAt,
        lastSentNotAfter: now - policy.resendCooldownSeconds * 1000,
        window,
        maxSendsInWindow: policy.maxSendsPerHour,
        deleteAfter,
      });
      if (!issued.issued) {
        const refusal = this.#refusal(issued.state, now, window.endsAt);
        log.info("otp.send_refused", { phone: masked, reason: refusal.reason });
        throw refusal;
      }

      if (fixedCode === undefined) {
        try {
          await this.#deps.sms.send({ phone: phone.e164, text: this.#smsText(code) });
        } catch (error) {
          log.warn("otp.sms_failed", { phone: masked }, error);
          await this.#revertQuietly(issued.receipt, masked);
          throw error;
        }
      }
    } catch (error) {
      if (ip) await this.#releaseQuietly(ip, window);
      throw error;
    }

    log.info("otp.sent", {
      phone: masked,
      country: phone.country ?? "test",
      testNumber: fixedCode !== undefined,
    });
    return { status: "pending", expiresIn: policy.ttlSeconds, resendIn: policy.resendCooldownSeconds };
  }

  #refusal(state: SendState, now: number, windowEndsAt: number): RateLimitedError {
    const { policy } = this.#deps;
    const cooldownEndsAt = (state.lastSentAt ?? 0) + policy.resendCooldownSeconds * 1000;
    if (cooldownEndsAt > now) {
      return new RateLimitedError(secondsUntil(cooldownEndsAt, now), "resend_cooldown");
    }
    if (state.sendsInWindow >= policy.maxSendsPerHour) {
      return new RateLimitedError(secondsUntil(windowEndsAt, now), "phone_hourly_limit");
    }
    // The conflicting write is gone by the time we looked (a concurrent rollback): ask for a
    // short wait rather than sending a second SMS that the winner did not expect.
    return new RateLimitedError(1, "resend_cooldown");
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

  async #revertQuietly(receipt: IssueReceipt, masked: string): Promise<void> {
    try {
      await this.#deps.store.revertIssue(receipt);
    } catch (error) {
      // The caller must still learn that the SMS failed; the record expires with its TTL.
      this.#deps.log.warn("otp.revert_failed", { phone: masked }, error);
    }
  }

  async #releaseQuietly(ip: string, window: ReturnType<typeof hourWindow>): Promise<void> {
    try {
      await this.#deps.store.releaseIpSend(ip, window);
    } catch (error) {
      // The original failure is what the caller must see; a lost refund only costs one slot.
      this.#deps.log.warn("otp.ip_release_failed", {}, error);
    }
  }
}
