/**
 * Ports of the OTP domain. The domain knows nothing of AWS: adapters in `../adapters` implement
 * these with DynamoDB, SNS, Secrets Manager and jose, built once per cold start.
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
      readonly codeId: string;
      /** Attempts on this code including this one. */
      readonly attempts: number;
    }
  | { readonly outcome: "expired" }
  | { readonly outcome: "locked" };

/**
 * Persistence of codes and send counters. Every method is one atomic conditional write (plus a
 * read on refusal paths), so limits hold under any concurrency. Failures of the backing service
 * throw `ServiceUnavailableError`.
 */
export interface OtpStore {
  /** Counts one send against the per-IP window; false when the cap is reached. */
  reserveIpSend(ip: string, window: RateWindow, max: number, deleteAfter: number): Promise<boolean>;
  /** Gives back a send counted by `reserveIpSend` that did not happen. */
  releaseIpSend(ip: string, window: RateWindow): Promise<void>;
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

/** Issues the signed proof that a phone number was verified. */
export interface TokenSigner {
  sign(phone: string): Promise<VerificationToken>;
}

/** Structured, already-masked log events; the domain never hands a code or token to the logger. */
export interface OtpEventLog {
  info(message: string, fields: Record<string, string | number | boolean>): void;
  warn(message: string, fields: Record<string, string | number | boolean>, error?: unknown): void;
}
