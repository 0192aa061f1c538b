import { spawn } from "node:child_process";
import { once } from "node:events";
import { startNpmStart } from "#test-support/npm-start";
import { median } from "./report.ts";

/** Wall time of `node -e 0` with the same Node: what any Node program pays before its own code. */
async function bareNodeOnce(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await once(child, "exit");
  return performance.now() - started;
}

export interface StartMeasure {
  /** Every run in order: the first may have rebuilt the bundle cache. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly bareNodeMs: number;
}

/** `npm start` from the command to `GET /health` 200 (functions up), `runs` times. */
export async function measureNpmStart(runs: number): Promise<StartMeasure> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startNpmStart();
    runsMs.push(server.readyMs);
    await server.stop();
  }
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) bare.push(await bareNodeOnce());
  return { runsMs, medianMs: median(runsMs), bareNodeMs: median(bare) };
}
