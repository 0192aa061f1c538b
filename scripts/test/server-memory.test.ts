import { describe, expect, it } from "vitest";
import { heapGrowth, type MemorySample, SERVER_ISOLATE, totalHeap } from "../load/server-memory.ts";

const MiB = 1024 * 1024;
const sample = (atSeconds: number, server: number, generate: number): MemorySample => ({
  atSeconds,
  rssBytes: 0,
  externalBytes: 0,
  heaps: { [SERVER_ISOLATE]: server * MiB, generate: generate * MiB },
});

describe("live heap growth of a load run", () => {
  // 3 minutes: warm-up in the first; then each isolate swings between collections, the server's
  // floor rising from 100 to 110 MiB and the function's staying at 50.
  const samples = [
    sample(0, 40, 20),
    sample(30, 300, 90),
    sample(60, 100, 120),
    sample(90, 250, 50),
    sample(121, 110, 130),
    sample(150, 290, 50),
    sample(180, 200, 60),
  ];

  it("adds up each isolate's lowest reading in the second and the last third, and compares them", () => {
    expect(heapGrowth(samples, 180)).toBeCloseTo((110 + 50 - (100 + 50)) / (100 + 50), 5);
    expect(heapGrowth(samples, 180, (isolate) => isolate !== SERVER_ISOLATE)).toBe(0);
  });

  it("totals every isolate's heap of one moment", () => {
    expect(totalHeap(sample(0, 40, 20))).toBe(60 * MiB);
  });

  it("refuses a run with no sample in a third", () => {
    expect(() => heapGrowth([sample(0, 60, 10), sample(180, 60, 10)], 180)).toThrow(/no memory sample/);
  });
});
