/** The dev server's memory at one moment, from its dev-only `GET /_dev/stats`. */
export interface MemorySample {
  /** Seconds since the load started. */
  readonly atSeconds: number;
  readonly rssBytes: number;
  /** Buffers outside the heap: mostly the embedded DynamoDB's stored items. */
  readonly externalBytes: number;
  /** Heap in use per isolate: `server` (the dev server's own, emulators included) and each function's. */
  readonly heaps: Readonly<Record<string, number>>;
}

/** The isolate of the dev server itself in `MemorySample.heaps`; the others are functions. */
export const SERVER_ISOLATE = "server";

interface Stats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly functions: Record<string, { readonly heapUsedBytes: number | null }>;
}

export async function readServerMemory(baseUrl: string, atSeconds: number): Promise<MemorySample> {
  const response = await fetch(new URL("/_dev/stats", baseUrl));
  if (!response.ok) throw new Error(`GET /_dev/stats answered ${response.status}`);
  const stats = (await response.json()) as Stats;
  const heaps: Record<string, number> = { [SERVER_ISOLATE]: stats.heapUsedBytes };
  for (const [name, { heapUsedBytes }] of Object.entries(stats.functions)) {
    if (heapUsedBytes !== null) heaps[name] = heapUsedBytes;
  }
  return { atSeconds, rssBytes: stats.rssBytes, externalBytes: stats.externalBytes, heaps };
}

/** Every isolate's heap in use at that moment, added up. */
export function totalHeap(sample: MemorySample): number {
  return Object.values(sample.heaps).reduce((sum, bytes) => sum + bytes, 0);
}

/**
 * Growth of the live heap from the second third of a run to its last (the second and the last
 * minute of a 3-minute run), as a fraction. The live heap of a stretch is each isolate's lowest
 * reading in it, what its garbage collections leave, added up: the readings themselves swing by a
 * factor of two between collections, so their means move with where the collections fall.
 */
export function heapGrowth(
  samples: readonly MemorySample[],
  runSeconds: number,
  counts: (isolate: string) => boolean = () => true,
): number {
  const live = (from: number, to: number) => {
    const inside = samples.filter((sample) => sample.atSeconds >= from && sample.atSeconds <= to);
    if (inside.length === 0) throw new Error(`no memory sample between ${from} s and ${to} s`);
    const lowest = new Map<string, number>();
    for (const sample of inside) {
      for (const [isolate, bytes] of Object.entries(sample.heaps)) {
        if (counts(isolate)) lowest.set(isolate, Math.min(bytes, lowest.get(isolate) ?? bytes));
      }
    }
    return [...lowest.values()].reduce((sum, bytes) => sum + bytes, 0);
  };
  const third = runSeconds / 3;
  const second = live(third, 2 * third);
  return (live(2 * third, runSeconds) - second) / second;
}
