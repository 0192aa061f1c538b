import type { Clock } from "../domain/ports.ts";

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
