import type {
  AttemptResult,
  IssueCodeCommand,
  IssueCodeResult,
  IssueReceipt,
  OtpStore,
  RateWindow,
  ScopeSendCommand,
  ScopeSendResult,
  TrafficScope,
} from "../../src/domain/ports.ts";

interface ScopeRecord {
  readonly sends: Map<number, number>;
  readonly verified: Map<number, number>;
  blockedUntil: number | undefined;
}

interface PhoneRecord {
  codeHash?: string;
  keyId?: string;
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
  readonly sourceSends = new Map<string, number>();
  readonly globalSends = new Map<string, number>();
  /** Ranges and countries, by `kind#key`. */
  readonly scopes = new Map<string, ScopeRecord>();
  readonly calls: string[] = [];

  async reserveSourceSend(source: string, window: RateWindow, max: number): Promise<boolean> {
    this.calls.push("reserveSourceSend");
    return this.#reserve(this.sourceSends, `${source}#${window.id}`, max);
  }

  async releaseSourceSend(source: string, window: RateWindow): Promise<void> {
    this.calls.push("releaseSourceSend");
    this.#release(this.sourceSends, `${source}#${window.id}`);
  }

  async reserveGlobalSend(window: RateWindow, shard: number, max: number): Promise<boolean> {
    this.calls.push("reserveGlobalSend");
    return this.#reserve(this.globalSends, `${window.id}#${shard}`, max);
  }

  async releaseGlobalSend(window: RateWindow, shard: number): Promise<void> {
    this.calls.push("releaseGlobalSend");
    this.#release(this.globalSends, `${window.id}#${shard}`);
  }

  async reserveScopeSend(scope: TrafficScope, command: ScopeSendCommand): Promise<ScopeSendResult> {
    this.calls.push("reserveScopeSend");
    const record = this.#scope(scope);
    const sends = record.sends.get(command.window.id) ?? 0;
    const blocked = record.blockedUntil !== undefined && record.blockedUntil > command.now;
    if (blocked || (command.budget !== undefined && sends >= command.budget)) {
      return { counted: false, blockedUntil: record.blockedUntil, sendsThisHour: sends };
    }
    record.sends.set(command.window.id, sends + 1);
    const look = (counts: Map<number, number>) =>
      (counts.get(command.window.id) ?? 0) + (counts.get(command.window.id - 1) ?? 0);
    return { counted: true, stats: { sends: look(record.sends), verified: look(record.verified) } };
  }

  async releaseScopeSend(scope: TrafficScope, window: RateWindow, blockUntil?: number): Promise<void> {
    this.calls.push("releaseScopeSend");
    const record = this.#scope(scope);
    const sends = record.sends.get(window.id) ?? 0;
    if (sends > 0 || blockUntil !== undefined) record.sends.set(window.id, sends - 1);
    if (blockUntil !== undefined) record.blockedUntil = blockUntil;
  }

  async recordVerification(scope: TrafficScope, window: RateWindow): Promise<void> {
    this.calls.push("recordVerification");
    const record = this.#scope(scope);
    record.verified.set(window.id, (record.verified.get(window.id) ?? 0) + 1);
  }

  #scope(scope: TrafficScope): ScopeRecord {
    const key = `${scope.kind}#${scope.key}`;
    let record = this.scopes.get(key);
    if (!record) {
      record = { sends: new Map(), verified: new Map(), blockedUntil: undefined };
      this.scopes.set(key, record);
    }
    return record;
  }

  #reserve(counts: Map<string, number>, key: string, max: number): boolean {
    const count = counts.get(key) ?? 0;
    if (count >= max) return false;
    counts.set(key, count + 1);
    return true;
  }

  #release(counts: Map<string, number>, key: string): void {
    const count = counts.get(key) ?? 0;
    if (count > 0) counts.set(key, count - 1);
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
      keyId: command.keyId,
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
      keyId: record.keyId,
      codeId: record.codeId,
      attempts: record.attempts,
    };
  }

  async consumeCode(phone: string, codeId: string): Promise<boolean> {
    this.calls.push("consumeCode");
    const record = this.phones.get(phone);
    if (record?.codeId !== codeId) return false;
    delete record.codeHash;
    delete record.keyId;
    delete record.codeId;
    delete record.expiresAt;
    delete record.attempts;
    return true;
  }
}
