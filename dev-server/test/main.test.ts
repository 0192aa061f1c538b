import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The project's Node 24, which runs the TypeScript sources itself (type stripping). */
const NODE = join(REPO_ROOT, "node_modules", ".bin", "node");

let child: ChildProcess | undefined;

afterAll(() => {
  // Only if a test failed half-way: never leave the child behind.
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Whether no process of the group is left (signal 0 only checks). */
function groupIsGone(group: number): boolean {
  try {
    process.kill(-group, 0);
    return false;
  } catch {
    return true;
  }
}

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePromise) => {
    const socket = connect({ host: hostname === "localhost" ? "127.0.0.1" : hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolvePromise(false);
    });
    socket.once("error", () => resolvePromise(true));
  });
}

/** Free ports instead of 3000/4566, so a test run cannot collide with anything. */
const TEST_ENV = { PORT: "0", LOCAL_AWS_PORT: "0", NO_COLOR: "1", AWS_ENDPOINT_URL: "" };

interface Started {
  readonly process: ChildProcess;
  /** Everything printed so far, stdout and stderr together. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a child with the test environment, collecting its output and its exit. */
function start(command: string, args: string[], env: Record<string, string>, detached = false): Started {
  const started = spawn(command, args, {
    cwd: REPO_ROOT,
    detached,
    env: { ...process.env, ...TEST_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = started;
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  started.stdout?.on("data", collect);
  started.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
    started.once("exit", (code, signal) => resolvePromise({ code, signal }));
  });
  return { process: started, output: () => output, exited };
}

describe("npm start (dev-server/src/main.ts)", () => {
  it("prints its URLs, serves the API and the inbox, and exits 0 on SIGINT with its ports freed", async () => {
    // What `npm start` runs.
    const started = start(NODE, ["dev-server/src/main.ts"], {});
    await expect.poll(() => started.output(), { timeout: 60_000, interval: 100 }).toMatch(/Stop: +Ctrl-C/);
    expect(started.output()).toMatch(/ready in \d+\.\d s/);
    const page = /Page +(http:\/\/\S+)/.exec(started.output())?.[1] ?? expect.unreachable(started.output());
    const api = /API +(http:\/\/\S+)/.exec(started.output())?.[1];
    const inbox = /SMS inbox +(http:\/\/\S+)/.exec(started.output())?.[1];
    const aws =
      /AWS endpoint +(http:\/\/\S+)/.exec(started.output())?.[1] ?? expect.unreachable(started.output());
    expect(api).toBe(page);
    expect(inbox).toBe(`${page}/_dev/inbox`);
    expect(started.output()).toContain(`aws --endpoint-url ${aws}`);
    expect(started.output()).toContain("dynamodb scan --table-name sms-otp-local");

    const health = await fetch(`${page}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    const generated = await fetch(`${page}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ phone: "+14155550142" }),
    });
    expect(generated.status).toBe(202);
    // The SMS shows up in the terminal box.
    await expect
      .poll(() => started.output(), { timeout: 10_000, interval: 100 })
      .toMatch(/SMS to \+14155550142/);
    expect((await fetch(`${inbox}`)).status).toBe(200);

    expect(await portIsClosed(page)).toBe(false);
    expect(await portIsClosed(aws)).toBe(false);
    started.process.kill("SIGINT");
    const { code, signal } = await started.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain("SIGINT: stopping the dev server");
    expect(await portIsClosed(page)).toBe(true);
    expect(await portIsClosed(aws)).toBe(true);
  }, 90_000);

  it("`npm start` in a terminal: Ctrl-C (SIGINT to the whole process group) leaves no process behind", async () => {
    // A terminal sends Ctrl-C to every process of the foreground group: npm, sh and node.
    const started = start("npm", ["start"], {}, true);
    const group = started.process.pid ?? expect.unreachable();
    try {
      await expect.poll(() => started.output(), { timeout: 60_000, interval: 100 }).toMatch(/Stop: +Ctrl-C/);
      const page = /Page +(http:\/\/\S+)/.exec(started.output())?.[1] ?? expect.unreachable(started.output());
      const aws =
        /AWS endpoint +(http:\/\/\S+)/.exec(started.output())?.[1] ?? expect.unreachable(started.output());
      process.kill(-group, "SIGINT");
      await started.exited;
      await expect.poll(() => groupIsGone(group), { timeout: 10_000, interval: 100 }).toBe(true);
      expect(started.output()).toContain("SIGINT: stopping the dev server");
      expect(await portIsClosed(page)).toBe(true);
      expect(await portIsClosed(aws)).toBe(true);
    } finally {
      if (!groupIsGone(group)) process.kill(-group, "SIGKILL");
    }
  }, 90_000);

  it("refuses a bad variable before starting anything, naming it, with exit code 1", async () => {
    const started = start(NODE, ["dev-server/src/main.ts"], { OTP_LENGTH: "99" });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain("OTP_LENGTH");
  }, 60_000);
});
