import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { CALL_SITES, FAULT_KINDS, type Lasting } from "./call-sites.ts";
import { ANSWER_BOUND_MS, type CellResult, type CellSpec, runCell } from "./cell.ts";
import { LEGEND, matrixTable } from "./matrix-table.ts";
import { SmsCollector } from "./sms-collector.ts";

/**
 * Every fault kind at every AWS call of generate (its give-backs included) and validate, once and
 * on every SDK attempt, through the fault proxy in front of this run's backend, with the real
 * handlers on a table per cell and a clock of their own. Cells run side by side: the hang cells
 * (2 s per attempt) all at once, the others a few at a time.
 */

const LASTINGS: readonly Lasting[] = ["once", "every attempt"];
/** Cells in flight besides the hang cells, which mostly wait on timers. */
const IN_FLIGHT = 24;

let stack: TestStack;
let sms: SmsCollector;
const results: CellResult[] = [];

beforeAll(async () => {
  stack = await createTestStack();
  sms = new SmsCollector(stack.outbox);
  const specs: CellSpec[] = CALL_SITES.flatMap((site) =>
    FAULT_KINDS.flatMap((kind) => LASTINGS.map((lasting) => ({ site, kind, lasting }))),
  );
  const run = async (spec: CellSpec) => {
    results.push(await runCell(stack, sms, spec));
  };
  const queue = specs.filter((spec) => spec.kind !== "hang");
  await Promise.all([
    ...specs.filter((spec) => spec.kind === "hang").map(run),
    ...Array.from({ length: IN_FLIGHT }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) await run(spec);
    }),
  ]);
}, 120_000);

afterAll(async () => {
  if (results.length > 0) {
    console.log(
      `\nFault matrix (${results.length} cells, backend ${stack.backend}):\n\n${matrixTable(results)}\n\n${LEGEND.map((line) => `- ${line}`).join("\n")}\n`,
    );
  }
  await sms?.stop();
  await stack?.cleanup();
});

describe("every fault at every AWS call: the answer, the retry, the SMS, the counts and the attempts hold", () => {
  for (const site of CALL_SITES) {
    it(`${site.flow}: ${site.label}`, () => {
      const cells = results.filter((result) => result.spec.site === site);
      expect(cells).toHaveLength(FAULT_KINDS.length * LASTINGS.length);
      const problems = cells.flatMap((cell) =>
        cell.problems.map((problem) => `${cell.spec.kind}, ${cell.spec.lasting}: ${problem}`),
      );
      expect(problems).toEqual([]);
      for (const cell of cells) expect(cell.answer.ms).toBeLessThan(ANSWER_BOUND_MS);
    });
  }
});
