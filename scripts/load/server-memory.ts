/** The dev server's memory at one moment, from its dev-only `GET /_dev/stats`. */
export interface MemorySample {
  /** Seconds since the load started. */
  readonly atSeconds: number;
  readonly rssBytes: number;
  /** The server's heap and every function worker's, added up. */
  readonly heapBytes: number;
  /** The function workers' heaps alone: the service, without the emulators and the inbox. */
  readonly functionsHeapBytes: number;
  /** Buffers outside the heap: mostly the embedded DynamoDB's stored items. */
  readonly externalBytes: number;
}

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
  const functions = Object.values(stats.functions).reduce((sum, fn) => sum + (fn.heapUsedBytes ?? 0), 0);
  return {
    atSeconds,
    rssBytes: stats.rssBytes,
    heapBytes: stats.heapUsedBytes + functions,
    functionsHeapBytes: functions,
    externalBytes: stats.externalBytes,
  };
}

/**
 * Heap growth from the second third of a run to its last (the second and the last minute of a
 * 3-minute run), as a fraction: the mean of each third's samples, so one garbage collection more
 * or less in either does not decide it.
 */
export function heapGrowth(
  samples: readonly MemorySample[],
  runSeconds: number,
  heapOf: (sample: MemorySample) => number = (sample) => sample.heapBytes,
): number {
  const mean = (from: number, to: number) => {
    const inside = samples.filter((sample) => sample.atSeconds >= from && sample.atSeconds <= to);
    if (inside.length === 0) throw new Error(`no memory sample between ${from} s and ${to} s`);
    return inside.reduce((sum, sample) => sum + heapOf(sample), 0) / inside.length;
  };
  const third = runSeconds / 3;
  const second = mean(third, 2 * third);
  return (mean(2 * third, runSeconds) - second) / second;
}
