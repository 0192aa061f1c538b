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
