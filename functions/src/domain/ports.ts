import type { ServiceKey } from "./keys.ts";

/**
 * Ports of the OTP domain. The domain knows nothing of AWS: adapters in `../adapters` implement
 * these with DynamoDB, SNS, Secrets Manager, jose, Powertools and Cloudflare Turnstile, built
 * once per cold start.
 */

/** Wall clock in epoch milliseconds; injectable so tests can move time. */
export interface Clock {
  now(): number;
}

/** A fixed clock-aligned window (the hourly send caps). */
export interface RateWindow {
  /** Window number: floor(epochSeconds / lengthSeconds). */
  readonly id: number;
  /** Epoch ms when the window closes. */
  readonly endsAt: number;
}

export interface IssueCodeCommand {
  readonly phone: string;
  readonly codeHash: string;
  /** The key the code was hashed with (its `kid`): after a rotation, validate finds it again. */
  readonly keyId: string;
  /** Random id of this code; guards rollback and consumption against a newer code. */
  readonly codeId: string;
  readonly now: number;
  readonly expiresAt: number;
  /** Refuse when the last send to this phone was after this instant (the resend cooldown). */
  readonly lastSentNotAfter: number;
  readonly window: RateWindow;
  readonly maxSendsInWindow: number;
  /** Epoch seconds for DynamoDB TTL clean-up of the phone record. */
  readonly deleteAfter: number;
}

/** What stood in the way when a send was refused: the domain turns it into a wait time. */
export interface SendState {
  readonly lastSentAt: number | undefined;
  readonly sendsInWindow: number;
}

export type IssueCodeResult =
  | { readonly issued: true; readonly receipt: IssueReceipt }
  | { readonly issued: false; readonly state: SendState };

/** Opaque to the domain: what the store needs to undo an issue after a failed SMS send. */
export interface IssueReceipt {
  readonly phone: string;
  readonly codeId: string;
  readonly previous: unknown;
}

export type AttemptResult =
  | {
      readonly outcome: "counted";
      readonly codeHash: string;
      /** Undefined for codes stored before keys had ids: the current key hashed those. */
      readonly keyId: string | undefined;
      readonly codeId: string;
      /** Attempts on this code including this one. */
      readonly attempts: number;
    }
  | { readonly outcome: "expired" }
  | { readonly outcome: "locked" };

/**
 * A range of numbers or a whole country: where send budgets and conversion are counted and
 * where blocks apply.
 */
export interface TrafficScope {
  readonly kind: "range" | "country";
  /** `+44740012` for a range, `GB` for a country. */
  readonly key: string;
}

/** Sends and verified codes of a scope over the look-back window: this hour and the last. */
export interface ConversionStats {
  readonly sends: number;
  readonly verified: number;
}

export interface ScopeSendCommand {
  readonly window: RateWindow;
  readonly now: number;
  /** Refuse once this many sends were counted this hour; undefined: no budget (ranges). */
  readonly budget: number | undefined;
  /** Epoch seconds for DynamoDB TTL clean-up. */
  readonly deleteAfter: number;
}

export type ScopeSendResult =
  /** Counted; the stats include this send. */
  | { readonly counted: true; readonly stats: ConversionStats }
  /** Not counted: blocked until then, or the hour's budget is spent (read after the refusal). */
  | { readonly counted: false; readonly blockedUntil: number | undefined; readonly sendsThisHour: number };

/**
 * Persistence of codes and send counters. Every method is one atomic conditional write (plus a
 * read on refusal paths), so limits hold under any concurrency. Failures of the backing service
 * throw `ServiceUnavailableError`.
 */
export interface OtpStore {
  /** Counts one send against a source's hourly cap; false when the cap is reached. */
  reserveSourceSend(source: string, window: RateWindow, max: number, deleteAfter: number): Promise<boolean>;
  /** Gives back a send counted by `reserveSourceSend` that did not happen. */
  releaseSourceSend(source: string, window: RateWindow): Promise<void>;
  /** Counts one send to a scope unless it is blocked or its hourly budget is spent. */
  reserveScopeSend(scope: TrafficScope, command: ScopeSendCommand): Promise<ScopeSendResult>;
  /** Gives back a send counted by `reserveScopeSend`; with `blockUntil` (epoch ms), also blocks the scope. */
  releaseScopeSend(scope: TrafficScope, window: RateWindow, blockUntil?: number): Promise<void>;
  /** Counts a verified code of a scope. */
  recordVerification(scope: TrafficScope, window: RateWindow, deleteAfter: number): Promise<void>;
  /** Counts one send against one shard of the service-wide hourly ceiling; false when that shard is full. */
  reserveGlobalSend(window: RateWindow, shard: number, max: number, deleteAfter: number): Promise<boolean>;
  /** Gives back a send counted by `reserveGlobalSend`. */
  releaseGlobalSend(window: RateWindow, shard: number): Promise<void>;
  /** Stores a new code for the phone (voiding any older one) if cooldown and hourly cap allow. */
  issueCode(command: IssueCodeCommand): Promise<IssueCodeResult>;
  /** Restores the phone record as it was before `issueCode`, unless a newer code replaced it. */
  revertIssue(receipt: IssueReceipt): Promise<void>;
  /** Counts an attempt on the live code, before any comparison, if it is live and not locked. */
  recordAttempt(phone: string, now: number, maxAttempts: number): Promise<AttemptResult>;
  /** Consumes the code atomically; false when it was already used or replaced. */
  consumeCode(phone: string, codeId: string): Promise<boolean>;
}

export interface SmsMessage {
  readonly phone: string;
  readonly text: string;
}

/** Delivers SMS. Throws `SmsSendError` when the provider refuses. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

export interface VerificationToken {
  readonly token: string;
  readonly expiresIn: number;
}

/**
 * The versions of the service secret a function knows: the current one hashes new codes and signs
 * tokens; the previous one (after a rotation) still checks the codes issued just before it.
 */
export interface KeyRing {
  current(): ServiceKey;
  /**
   * The key with this id (undefined: the current one). A key this function has not seen yet (a
   * rotation since its cold start) is looked up once more before giving up.
   * @throws ServiceUnavailableError when the secret store cannot be read.
   */
  find(kid: string | undefined): Promise<ServiceKey | undefined>;
}

/** Issues the signed proof that a phone number was verified. */
export interface TokenSigner {
  sign(phone: string): Promise<VerificationToken>;
}

/** Structured, already-masked log events; the domain never hands a code or token to the logger. */
export interface OtpEventLog {
  info(message: string, fields: Record<string, string | number | boolean>): void;
  warn(message: string, fields: Record<string, string | number | boolean>, error?: unknown): void;
}

/** Why a send was refused (the `reason` of `429 rate_limited`). */
export const SEND_REFUSALS = [
  "resend_cooldown",
  "phone_hourly_limit",
  "ip_hourly_limit",
  "country_hourly_limit",
  "global_hourly_limit",
  "suspected_fraud",
] as const;
export type SendRefusal = (typeof SEND_REFUSALS)[number];

/**
 * Counts of what the service did, for dashboards and alarms. `country` is already reduced to a
 * bounded set of values by the caller (`metricCountry`).
 */
export interface OtpMetrics {
  codeSent(country: string): void;
  codeVerified(country: string): void;
  sendRefused(reason: SendRefusal | "challenge_failed"): void;
  /** A range or a country was blocked by its conversion rule. */
  scopeBlocked(kind: TrafficScope["kind"]): void;
}

/** A check that a human asked for the code (a CAPTCHA-like challenge solved in the page). */
export interface BotChallenge {
  /**
   * Whether the token the page got from the challenge is genuine and fresh.
   * @throws ServiceUnavailableError when the challenge provider cannot be reached.
   */
  verify(token: string, sourceIp: string | undefined): Promise<boolean>;
}
