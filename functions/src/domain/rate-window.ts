import type { RateWindow } from "./ports.ts";

const HOUR_SECONDS = 3600;

/**
 * The clock-aligned hour containing `now` (epoch ms). Fixed windows let one conditional
 * DynamoDB write both check and count a send; the cost is that up to twice the hourly cap can
 * pass across a window boundary, which the resend cooldown bounds further.
 */
export function hourWindow(now: number): RateWindow {
  const id = Math.floor(now / 1000 / HOUR_SECONDS);
  return { id, endsAt: (id + 1) * HOUR_SECONDS * 1000 };
}

/** Whole seconds from `now` until `instant`, at least 1 (a Retry-After of 0 invites a hot loop). */
export function secondsUntil(instant: number, now: number): number {
  return Math.max(1, Math.ceil((instant - now) / 1000));
}
