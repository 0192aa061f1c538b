/**
 * The resend countdown. It counts against a deadline on the clock rather than decrementing a
 * number, so a throttled background tab still shows the right time when it wakes up.
 */

/** Whole seconds left until `deadlineMs`, never negative, rounded up (so "0" means "now"). */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

export interface CountdownClock {
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const systemClock: CountdownClock = {
  now: () => Date.now(),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
};

/**
 * Calls `onTick(secondsLeft)` at once and whenever the whole number of seconds changes, ending
 * with `onTick(0)`. Returns a function that stops it early (no further calls).
 */
export function startCountdown(
  seconds: number,
  onTick: (secondsLeft: number) => void,
  clock: CountdownClock = systemClock,
): () => void {
  const deadline = clock.now() + Math.max(0, seconds) * 1000;
  let last = secondsLeft(deadline, clock.now());
  onTick(last);
  if (last === 0) return () => {};
  // Four checks a second keep the display within a quarter second of the deadline.
  const handle = clock.setInterval(() => {
    const left = secondsLeft(deadline, clock.now());
    if (left === last) return;
    last = left;
    if (left === 0) clock.clearInterval(handle);
    onTick(left);
  }, 250);
  return () => clock.clearInterval(handle);
}
