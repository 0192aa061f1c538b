import type { SendRefusal, TrafficScope } from "./ports.ts";

/** How long a warm function trusts what it learned: a block lifted by hand is seen within this. */
const REMEMBER_MS = 60_000;
/** Scopes remembered at most; an attack on many ranges cannot grow a function's memory further. */
const MAX_REMEMBERED = 10_000;

interface Remembered {
  readonly reason: SendRefusal;
  /** When the refusal ends (the block's end, or the end of the budget's hour). */
  readonly until: number;
  /** When this function asks the store again. */
  readonly forgetAt: number;
}

/**
 * What a warm function has learned about refused scopes: a blocked range or country, a country
 * whose hour's budget is spent. While it remembers, sends there are refused without a call to the
 * store, so an attack that keeps hammering a blocked range costs no DynamoDB traffic (and its
 * requests are answered at once). Refusals only: a remembered answer can never let a send through
 * that the store would refuse, so every limit stays exact.
 */
export class RefusalMemory {
  readonly #scopes = new Map<string, Remembered>();

  /** The remembered refusal of a scope, if any, still in force at `now`. */
  recall(scope: TrafficScope, now: number): { reason: SendRefusal; until: number } | undefined {
    const key = `${scope.kind}:${scope.key}`;
    const remembered = this.#scopes.get(key);
    if (remembered === undefined) return undefined;
    if (remembered.forgetAt <= now || remembered.until <= now) {
      this.#scopes.delete(key);
      return undefined;
    }
    return remembered;
  }

  remember(scope: TrafficScope, reason: SendRefusal, until: number, now: number): void {
    if (this.#scopes.size >= MAX_REMEMBERED) {
      for (const [key, remembered] of this.#scopes) if (remembered.forgetAt <= now) this.#scopes.delete(key);
      // Still full: forget the oldest (a Map keeps insertion order); the store is asked again.
      for (const key of this.#scopes.keys()) {
        if (this.#scopes.size < MAX_REMEMBERED) break;
        this.#scopes.delete(key);
      }
    }
    this.#scopes.set(`${scope.kind}:${scope.key}`, {
      reason,
      until,
      forgetAt: Math.min(until, now + REMEMBER_MS),
    });
  }
}
