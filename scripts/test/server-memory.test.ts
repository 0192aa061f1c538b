import { describe, expect, it } from "vitest";
import { heapGrowth, type MemorySample } from "../load/server-memory.ts";

const sample = (atSeconds: number, heapMiB: number): MemorySample => ({
  atSeconds,
  rssBytes: 0,
  heapBytes: heapMiB * 1024 * 1024,
  functionsHeapBytes: (heapMiB / 2) * 1024 * 1024,
  externalBytes: 0,
});

describe("heap growth of a load run", () => {
  it("compares the mean heap of the second third of the run with the last third's", () => {
    // 3 minutes: warm-up in the first, a sawtooth around 200 MiB in the second, 220 MiB in the last.
    const samples = [
      sample(0, 60),
      sample(30, 400),
      sample(60, 150),
      sample(90, 250),
      sample(121, 170),
      sample(150, 270),
      sample(180, 220),
    ];
    expect(heapGrowth(samples, 180)).toBeCloseTo((220 - 200) / 200, 5);
    expect(heapGrowth(samples, 180, (one) => one.functionsHeapBytes)).toBeCloseTo((110 - 100) / 100, 5);
  });

  it("refuses a run with no sample in a third", () => {
    expect(() => heapGrowth([sample(0, 60), sample(180, 60)], 180)).toThrow(/no memory sample/);
  });
});
