import { describe, expect, it } from "vitest";
import { RefusalMemory } from "../../src/domain/refusal-memory.ts";

const range = (key: string) => ({ kind: "range" as const, key });

describe("RefusalMemory", () => {
  it("recalls a refusal until it ends or a minute passes, whichever is first", () => {
    const memory = new RefusalMemory();
    memory.remember(range("+1415555"), "suspected_fraud", 3_600_000, 0);
    memory.remember(range("+1212555"), "suspected_fraud", 10_000, 0);
    expect(memory.recall(range("+1415555"), 59_999)).toEqual(
      expect.objectContaining({ reason: "suspected_fraud", until: 3_600_000 }),
    );
    expect(memory.recall(range("+1415555"), 60_000)).toBeUndefined();
    expect(memory.recall(range("+1212555"), 10_000)).toBeUndefined();
    expect(memory.recall({ kind: "country", key: "+1415555" }, 0)).toBeUndefined();
  });

  it("stays bounded when an attack touches many ranges", () => {
    const memory = new RefusalMemory();
    for (let i = 0; i < 25_000; i++) memory.remember(range(`+1${i}`), "suspected_fraud", 3_600_000, 0);
    const remembered = Array.from({ length: 25_000 }, (_, i) => memory.recall(range(`+1${i}`), 1)).filter(
      Boolean,
    );
    expect(remembered.length).toBeLessThanOrEqual(10_000);
    // The newest are kept.
    expect(memory.recall(range("+124999"), 1)).toBeDefined();
  });
});
