import { median } from "../bench/report.ts";

/** The dev server's memory at one moment, from its dev-only `GET /_dev/stats`. */
export interface MemorySample {
  /** Seconds since the load started. */
  readonly atSeconds: number;
  readonly rssBytes: number;
  /** The emulator thread's Buffers outside its heap: the embedded DynamoDB's stored items, mostly. */
  readonly emulatorExternalBytes: number;
  /**
   * Heap in use per isolate: `server` (the dev server's own), `emulator` (the embedded AWS
   * emulator's thread) and each function's.
   */
  readonly heaps: Readonly<Record<string, number>>;
  /** Whether every isolate collected garbage just before: the heaps are then the live heap. */
  readonly collected: boolean;
}

/** The isolates of the dev server itself and of the emulator in `MemorySample.heaps`; the others are functions. */
export const SERVER_ISOLATE = "server";
export const EMULATOR_ISOLATE = "emulator";

interface Stats {
  readonly collected: boolean;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly functions: Record<string, { readonly heapUsedBytes: number | null }>;
  readonly emulator: { readonly heapUsedBytes: number; readonly externalBytes: number } | null;
}

/** One reading of `GET /_dev/stats?gc=1`: the live heap when the server runs with `--expose-gc`. */
export async function readServerMemory(baseUrl: string, atSeconds: number): Promise<MemorySample> {
  const response = await fetch(new URL("/_dev/stats?gc=1", baseUrl));
  if (!response.ok) throw new Error(`GET /_dev/stats answered ${response.status}`);
  const stats = (await response.json()) as Stats;
  const heaps: Record<string, number> = { [SERVER_ISOLATE]: stats.heapUsedBytes };
  for (const [name, { heapUsedBytes }] of Object.entries(stats.functions)) {
    if (heapUsedBytes !== null) heaps[name] = heapUsedBytes;
  }
  if (stats.emulator) heaps[EMULATOR_ISOLATE] = stats.emulator.heapUsedBytes;
  return {
    atSeconds,
    rssBytes: stats.rssBytes,
    emulatorExternalBytes: stats.emulator?.externalBytes ?? 0,
    heaps,
    collected: stats.collected,
  };
}

/** The heaps in use at that moment of the isolates `counts` picks (every one by default), added up. */
export function totalHeap(sample: MemorySample, counts: (isolate: string) => boolean = () => true): number {
  return Object.entries(sample.heaps)
    .filter(([isolate]) => counts(isolate))
    .reduce((sum, [, bytes]) => sum + bytes, 0);
}

/**
 * Growth of the live heap from the second third of a run to its last (the second and the last
 * minute of a 3-minute run), as a fraction: the median, per isolate, of the readings taken right
 * after a collection in each third, added up. Readings without a collection are left out: they
 * swing by a factor of two with where the collections fall, and so would the verdict.
 */
export function heapGrowth(
  samples: readonly MemorySample[],
  runSeconds: number,
  counts: (isolate: string) => boolean = () => true,
): number {
  const live = (from: number, to: number) => {
    const inside = samples.filter(
      (sample) => sample.collected && sample.atSeconds >= from && sample.atSeconds <= to,
    );
    if (inside.length === 0) {
      throw new Error(
        `no memory sample after a collection between ${from} s and ${to} s (is npm start running with NODE_OPTIONS=--expose-gc?)`,
      );
    }
    const readings = new Map<string, number[]>();
    for (const sample of inside) {
      for (const [isolate, bytes] of Object.entries(sample.heaps)) {
        if (counts(isolate)) readings.set(isolate, [...(readings.get(isolate) ?? []), bytes]);
      }
    }
    return [...readings.values()].reduce((sum, bytes) => sum + median(bytes), 0);
  };
  const third = runSeconds / 3;
  const second = live(third, 2 * third);
  return (live(2 * third, runSeconds) - second) / second;
}
