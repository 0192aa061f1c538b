/** The bench's table: one row per measure, with its goal and verdict when it has one. */

export interface Row {
  readonly measure: string;
  readonly value: string;
  readonly unit: string;
  readonly goal: string;
  readonly verdict: "met" | "MISSED" | "";
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/**
 * A distribution-free confidence interval for the median: the order statistics x(k+1) and x(n-k)
 * with the largest k for which P(Binomial(n, 1/2) ≤ k) stays within (1 - confidence) / 2. It
 * assumes only independent samples, which is what alternated fresh processes give; with 15
 * samples it spans the 4th to the 12th smallest (96.5%).
 */
export function medianInterval(samples: readonly number[], confidence = 0.95): readonly [number, number] {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  let k = -1;
  let cumulative = 0;
  let term = 0.5 ** n; // P(X = 0)
  for (let i = 0; i < n; i++) {
    cumulative += term;
    if (cumulative > tail) break;
    k = i;
    term = (term * (n - i)) / (i + 1); // P(X = i + 1) from P(X = i)
  }
  if (k < 0) return [Number.NaN, Number.NaN]; // too few samples for that confidence
  return [sorted[k] ?? Number.NaN, sorted[n - 1 - k] ?? Number.NaN];
}

export class Report {
  readonly rows: Row[] = [];

  /** A measure; with `atMost` it is a goal the run meets or misses. */
  add(measure: string, value: number, unit: string, atMost?: number, digits = 1): void {
    this.rows.push({
      measure,
      value: value.toFixed(digits),
      unit,
      goal: atMost === undefined ? "" : `≤ ${atMost}`,
      verdict: atMost === undefined ? "" : value <= atMost ? "met" : "MISSED",
    });
  }

  get missed(): number {
    return this.rows.filter((row) => row.verdict === "MISSED").length;
  }

  /** A Markdown table: pasted as is into the README. */
  toMarkdown(): string {
    const header = ["measure", "value", "unit", "goal", "verdict"];
    const cells = this.rows.map((row) => [row.measure, row.value, row.unit, row.goal, row.verdict]);
    const widths = header.map((name, column) =>
      Math.max(name.length, ...cells.map((row) => row[column]?.length ?? 0)),
    );
    const line = (row: readonly string[]) =>
      `| ${row.map((cell, column) => (column === 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(" | ")} |`;
    return [
      line(header),
      `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`,
      ...cells.map(line),
    ].join("\n");
  }
}
