import { describe, expect, it } from "vitest";
import { median, medianInterval } from "../bench/report.ts";

describe("medianInterval", () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it("takes the order statistics of the binomial tables (15 samples: 4th and 12th)", () => {
    expect(medianInterval(ranks(15))).toEqual([4, 12]);
    expect(medianInterval(ranks(9))).toEqual([2, 8]);
    expect(medianInterval(ranks(31))).toEqual([10, 22]);
  });

  it("does not depend on the order the samples came in, and contains the median", () => {
    const samples = [1.31, 1.22, 1.45, 1.38, 1.29, 1.33, 1.4, 1.27, 1.36, 1.3, 1.35, 1.28, 1.5, 1.25, 1.32];
    const [low, high] = medianInterval(samples);
    expect(medianInterval([...samples].reverse())).toEqual([low, high]);
    expect(low).toBeLessThanOrEqual(median(samples));
    expect(high).toBeGreaterThanOrEqual(median(samples));
    expect([low, high]).toEqual([1.28, 1.38]);
  });

  it("gives no interval when there are too few samples for the confidence", () => {
    expect(medianInterval(ranks(5))).toEqual([Number.NaN, Number.NaN]);
  });
});
