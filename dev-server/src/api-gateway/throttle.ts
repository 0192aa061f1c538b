/**
 * API Gateway's stage throttle: a token bucket holding at most `burstLimit` tokens, refilled at
 * `rateLimit` tokens per second, starting full. Each request takes one token or is refused with
 * 429 when none is left.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(
    limits: { readonly rateLimit: number; readonly burstLimit: number },
    now: () => number = Date.now,
  ) {
    this.#rate = limits.rateLimit;
    this.#burst = limits.burstLimit;
    this.#now = now;
    this.#tokens = limits.burstLimit;
    this.#updatedAt = now();
  }

  /** Takes a token; false when the bucket is empty (the request is throttled). */
  tryTake(): boolean {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedSeconds * this.#rate);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
