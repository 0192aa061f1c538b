import { describe, expect, it } from "vitest";
import {
  EMULATOR_ISOLATE,
  heapGrowth,
  type MemorySample,
  SERVER_ISOLATE,
  totalHeap,
} from "../load/server-memory.ts";

const MiB = 1024 * 1024;
const sample = (atSeconds: number, server: number, generate: number, collected = true): MemorySample => ({
  atSeconds,
  rssBytes: 0,
  emulatorExternalBytes: 0,
  heaps: { [SERVER_ISOLATE]: server * MiB, generate: generate * MiB, [EMULATOR_ISOLATE]: 30 * MiB },
  collected,
});

describe("live heap growth of a load run", () => {
  // 3 minutes, a reading after a collection every 20 s: the server's live heap rising from about
  // 100 to about 110 MiB, the function's flat at 50; readings between collections swing wildly.
  const samples = [
    sample(0, 40, 20),
    sample(20, 90, 50),
    sample(40, 95, 50),
    sample(60, 98, 50),
    sample(70, 300, 140, false),
    sample(80, 100, 51),
    sample(100, 102, 50),
    sample(120, 104, 49),
    sample(130, 20, 10, false),
    sample(140, 108, 50),
    sample(160, 110, 50),
    sample(180, 112, 50),
  ];

  it("adds up each isolate's median after a collection in the second and the last third, and compares them", () => {
    // Medians (the upper one of an even count). Second third (60–120 s): server 98, 100, 102,
    // 104 -> 102; generate 50, 51, 50, 49 -> 50. Last third (120–180 s): server 104, 108, 110,
    // 112 -> 110; generate 49, 50, 50, 50 -> 50.
    const ours = (isolate: string) => isolate !== EMULATOR_ISOLATE;
    expect(heapGrowth(samples, 180, ours)).toBeCloseTo((110 + 50 - (102 + 50)) / (102 + 50), 5);
    expect(heapGrowth(samples, 180, (isolate) => isolate === "generate")).toBe(0);
    // Every isolate by default: the emulator's flat 30 MiB dilutes the growth.
    expect(heapGrowth(samples, 180)).toBeCloseTo((110 + 50 + 30 - (102 + 50 + 30)) / (102 + 50 + 30), 5);
  });

  it("leaves out readings taken without a collection", () => {
    const withSwings = [...samples, sample(179, 900, 900, false)];
    expect(heapGrowth(withSwings, 180)).toBe(heapGrowth(samples, 180));
    expect(heapGrowth(withSwings, 180)).toBeGreaterThan(0);
  });

  it("totals the heaps of one moment, of every isolate or of those picked", () => {
    expect(totalHeap(sample(0, 40, 20))).toBe(90 * MiB);
    expect(totalHeap(sample(0, 40, 20), (isolate) => isolate !== EMULATOR_ISOLATE)).toBe(60 * MiB);
  });

  it("refuses a run with no reading after a collection in a third, and says how to get one", () => {
    expect(() => heapGrowth([sample(0, 60, 10), sample(180, 60, 10)], 180)).toThrow(/no memory sample/);
    const uncollected = samples.map((s) => ({ ...s, collected: false }));
    expect(() => heapGrowth(uncollected, 180)).toThrow(/--expose-gc/);
  });
});
