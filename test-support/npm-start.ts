import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { REPO_ROOT } from "#api-contract";

/** A TCP port free right now on the loopback interface. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (typeof address !== "object" || address === null) throw new Error("no free port");
  return address.port;
}

export interface NpmStart {
  /** `http://127.0.0.1:<port>`: the page, the API and the dev routes. */
  readonly url: string;
  /** Milliseconds from the command to `GET /health` answering 200. */
  readonly readyMs: number;
  /** Everything it printed so far. */
  output(): string;
  /** Ctrl-C to its whole process group, and waits for it to exit. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `npm start` as a user does, in a process group of its own, on free ports bound to
 * 127.0.0.1 (so clients may speak from any 127.x.y.z address), and waits until `/health` says the
 * functions are up. `env` is added to this process's environment.
 */
export async function startNpmStart(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<NpmStart> {
  const [port, awsPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NO_COLOR: "1",
      ...env,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOCAL_AWS_PORT: String(awsPort),
    },
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    printed += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    printed += chunk.toString("utf8");
  });
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, "SIGINT");
    await exited;
  };
  try {
    for (;;) {
      const response = await fetch(`${url}/health`).catch(() => undefined);
      if (response?.status === 200) break;
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${printed}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`npm start not ready in ${timeoutMs} ms:\n${printed}`);
      await sleep(5);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, readyMs: performance.now() - started, output: () => printed, stop };
}
