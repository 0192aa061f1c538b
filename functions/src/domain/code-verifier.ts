import { InvalidCodeError, OtpError } from "./errors.ts";
import { scopesOf } from "./fraud-rules.ts";
import { metricCountry, type OtpPolicy } from "./limits.ts";
import { maskPhone, type Phone, parsePhone } from "./phone.ts";
import type {
  Clock,
  KeyRing,
  OtpEventLog,
  OtpMetrics,
  OtpStore,
  TokenSigner,
  VerificationToken,
} from "./ports.ts";
import { hourWindow } from "./rate-window.ts";

export interface CodeVerifierDependencies {
  readonly policy: OtpPolicy;
  readonly store: OtpStore;
  readonly tokens: TokenSigner;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly log: OtpEventLog;
  readonly metrics: OtpMetrics;
}

export interface ValidateRequest {
  readonly phone: string;
  readonly code: string;
}

export interface ValidateResult extends VerificationToken {
  readonly status: "approved";
}

/** The `validate` use case: one counted attempt, a constant-time comparison, a single use. */
export class CodeVerifier {
  readonly #deps: CodeVerifierDependencies;
  /** The shape of a code of the configured length, built once rather than per request. */
  readonly #codeShape: RegExp;

  constructor(deps: CodeVerifierDependencies) {
    this.#deps = deps;
    this.#codeShape = new RegExp(`^\\d{${deps.policy.length}}$`);
  }

  /**
   * Checks a code. The attempt is counted before the comparison, so concurrent guesses can never
   * evaluate more than `maxAttempts` times; a match consumes the code (one winner under any race).
   */
  async validate(request: ValidateRequest): Promise<ValidateResult> {
    const { policy, store, clock, keys, tokens, log } = this.#deps;
    const phone = parsePhone(request.phone, policy);
    const masked = maskPhone(phone.e164);
    if (!this.#codeShape.test(request.code)) {
      throw new OtpError("invalid_request", `The code must be ${policy.length} digits.`);
    }

    const attempt = await store.recordAttempt(phone.e164, clock.now(), policy.maxAttempts);
    if (attempt.outcome === "expired") {
      throw new OtpError("code_expired", "There is no valid code for this number. Ask for a new one.");
    }
    if (attempt.outcome === "locked") {
      log.info("otp.locked", { phone: masked });
      throw new OtpError("too_many_attempts", "Too many wrong codes. Ask for a new one.");
    }
    const key = await keys.find(attempt.keyId);
    if (key === undefined) {
      // Hashed with a key two rotations old: no code lives that long, so it is not live.
      throw new OtpError("code_expired", "There is no valid code for this number. Ask for a new one.");
    }
    if (!key.hasher.matches(phone.e164, request.code, attempt.codeHash)) {
      const attemptsRemaining = Math.max(policy.maxAttempts - attempt.attempts, 0);
      log.info("otp.invalid_code", { phone: masked, attemptsRemaining });
      throw new InvalidCodeError(attemptsRemaining);
    }
    if (!(await store.consumeCode(phone.e164, attempt.codeId))) {
      throw new OtpError("code_expired", "This code was already used. Ask for a new one.");
    }

    const [token] = await Promise.all([tokens.sign(phone.e164), this.#countVerification(phone)]);
    this.#deps.metrics.codeVerified(metricCountry(policy, phone.country));
    log.info("otp.verified", { phone: masked });
    return { status: "approved", ...token };
  }

  /**
   * Counts the verification where its send was counted (range and country), which keeps their
   * conversion up. Best effort: the code is consumed already, and a lost count must not cost the
   * person their token.
   */
  async #countVerification(phone: Phone): Promise<void> {
    const { policy, store, clock, log } = this.#deps;
    const window = hourWindow(clock.now());
    const deleteAfter = Math.ceil((window.endsAt + 3_600_000 + policy.fraud.blockSeconds * 1000) / 1000);
    const scopes = Object.values(scopesOf(phone, policy.fraud));
    const results = await Promise.allSettled(
      scopes.map((scope) => store.recordVerification(scope, window, deleteAfter)),
    );
    for (const result of results) {
      if (result.status === "rejected") log.warn("otp.verification_count_failed", {}, result.reason);
    }
  }
}
