import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { secondsLeft, startCountdown } from "../src/countdown.ts";

describe("secondsLeft", () => {
  it("rounds up and never goes below zero", () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });
});

describe("startCountdown", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("ticks once per second down to zero, then stops", () => {
    const ticks: number[] = [];
    startCountdown(3, (left) => ticks.push(left));
    expect(ticks).toEqual([3]);
    vi.advanceTimersByTime(1000);
    expect(ticks).toEqual([3, 2]);
    vi.advanceTimersByTime(2000);
    expect(ticks).toEqual([3, 2, 1, 0]);
    vi.advanceTimersByTime(5000);
    expect(ticks).toEqual([3, 2, 1, 0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("follows the clock, so a throttled tab catches up instead of drifting", () => {
    const ticks: number[] = [];
    startCountdown(30, (left) => ticks.push(left));
    // The timer did not fire for 20 s (background tab), then fires once.
    vi.setSystemTime(1_000_000 + 20_000);
    vi.advanceTimersByTime(250);
    expect(ticks).toEqual([30, 10]);
  });

  it("reports zero at once for a zero wait and schedules nothing", () => {
    const ticks: number[] = [];
    startCountdown(0, (left) => ticks.push(left));
    expect(ticks).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops early when asked", () => {
    const ticks: number[] = [];
    const stop = startCountdown(5, (left) => ticks.push(left));
    vi.advanceTimersByTime(1000);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(ticks).toEqual([5, 4]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
