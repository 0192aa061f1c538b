import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { REPO_ROOT } from "#api-contract";
import { median } from "./report.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (typeof address !== "object" || address === null) throw new Error("no free port");
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One `npm start` from the command to `GET /health` answering 200 (which it does once the
 * functions have cold-started), then Ctrl-C to the whole process group.
 */
async function startOnce(timeoutMs: number): Promise<number> {
  const [port, awsPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, PORT: String(port), LOCAL_AWS_PORT: String(awsPort), NO_COLOR: "1" },
  });
  const exited = once(child, "exit");
  try {
    for (;;) {
      const response = await fetch(`http://localhost:${port}/health`).catch(() => undefined);
      if (response?.status === 200) return performance.now() - started;
      if (performance.now() - started > timeoutMs) throw new Error(`npm start not ready in ${timeoutMs} ms`);
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      await sleep(5);
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
    await exited;
  }
}

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

export async function measureNpmStart(runs: number): Promise<StartMeasure> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(await startOnce(30_000));
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) bare.push(await bareNodeOnce());
  return { runsMs, medianMs: median(runsMs), bareNodeMs: median(bare) };
}
