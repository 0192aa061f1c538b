import type {
  AttemptResult,
  IssueCodeCommand,
  IssueCodeResult,
  IssueReceipt,
  OtpStore,
  RateWindow,
} from "../../src/domain/ports.ts";

interface PhoneRecord {
  codeHash?: string;
  codeId?: string;
  expiresAt?: number;
  attempts?: number;
  lastSentAt?: number;
  sends: Map<number, number>;
}

/**
 * An in-memory OtpStore with the same conditions as the DynamoDB one, for domain unit tests.
 * The real store is exercised against emulators in integration-tests/.
 */
export class InMemoryOtpStore implements OtpStore {
  readonly phones = new Map<string, PhoneRecord>();
  readonly ipSends = new Map<string, number>();
  readonly calls: string[] = [];

  async reserveIpSend(ip: string, window: RateWindow, max: number): Promise<boolean> {
    this.calls.push("reserveIpSend");
    const key = `${ip}#${window.id}`;
    const count = this.ipSends.get(key) ?? 0;
    if (count >= max) return false;
    this.ipSends.set(key, count + 1);
    return true;
  }

  async releaseIpSend(ip: string, window: RateWindow): Promise<void> {
    this.calls.push("releaseIpSend");
    const key = `${ip}#${window.id}`;
    const count = this.ipSends.get(key) ?? 0;
    if (count > 0) this.ipSends.set(key, count - 1);
  }

  async issueCode(command: IssueCodeCommand): Promise<IssueCodeResult> {
    this.calls.push("issueCode");
    const current = this.phones.get(command.phone);
    const sends = current?.sends.get(command.window.id) ?? 0;
    const cooled = current?.lastSentAt === undefined || current.lastSentAt <= command.lastSentNotAfter;
    if (!cooled || sends >= command.maxSendsInWindow) {
      return { issued: false, state: { lastSentAt: current?.lastSentAt, sendsInWindow: sends } };
    }
    const previous = current ? structuredClone(current) : undefined;
    const next: PhoneRecord = {
      codeHash: command.codeHash,
      codeId: command.codeId,
      expiresAt: command.expiresAt,
      attempts: 0,
      lastSentAt: command.now,
      sends: new Map(current?.sends ?? []),
    };
    next.sends.set(command.window.id, sends + 1);
    this.phones.set(command.phone, next);
    return { issued: true, receipt: { phone: command.phone, codeId: command.codeId, previous } };
  }

  async revertIssue(receipt: IssueReceipt): Promise<void> {
    this.calls.push("revertIssue");
    if (this.phones.get(receipt.phone)?.codeId !== receipt.codeId) return;
    if (receipt.previous === undefined) this.phones.delete(receipt.phone);
    else this.phones.set(receipt.phone, receipt.previous as PhoneRecord);
  }

  async recordAttempt(phone: string, now: number, maxAttempts: number): Promise<AttemptResult> {
    this.calls.push("recordAttempt");
    const record = this.phones.get(phone);
    if (!record?.codeHash || !record.codeId || record.expiresAt === undefined || record.expiresAt <= now) {
      return { outcome: "expired" };
    }
    const attempts = record.attempts ?? 0;
    if (attempts >= maxAttempts) return { outcome: "locked" };
    record.attempts = attempts + 1;
    return {
      outcome: "counted",
      codeHash: record.codeHash,
      codeId: record.codeId,
      attempts: record.attempts,
    };
  }

  async consumeCode(phone: string, codeId: string): Promise<boolean> {
    this.calls.push("consumeCode");
    const record = this.phones.get(phone);
    if (record?.codeId !== codeId) return false;
    delete record.codeHash;
    delete record.codeId;
    delete record.expiresAt;
    delete record.attempts;
    return true;
  }
}
