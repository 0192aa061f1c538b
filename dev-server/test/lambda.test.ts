import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FunctionBundles, type RebuildOutcome } from "../src/lambda/bundle.ts";
import {
  FunctionError,
  LocalFunction,
  type LocalFunctionOptions,
  RuntimeWorker,
} from "../src/lambda/local-function.ts";

let dir: string;
const started: LocalFunction[] = [];

const FIXTURES: Record<string, string> = {
  "env.mjs": `
    const coldStartAt = Date.now();
    export const handler = async (event, context) => ({
      statusCode: 200,
      body: JSON.stringify({
        app: process.env.APP_NAME,
        envKeys: Object.keys(process.env).sort(),
        coldStartAt,
        echo: event,
        context: {
          functionName: context.functionName,
          awsRequestId: context.awsRequestId,
          invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: context.memoryLimitInMB,
          remaining: context.getRemainingTimeInMillis(),
        },
      }),
    });`,
  "init-fail.mjs": `throw new Error("OTP_LENGTH: must be a whole number from 4 to 10");`,
  "no-handler.mjs": `export const other = 1;`,
  "throws.mjs": `export const handler = async () => { throw new TypeError("boom"); };`,
  "hangs.mjs": `
    const coldStartAt = Date.now();
    export const handler = async (event) =>
      event.hang ? new Promise(() => {}) : { statusCode: 200, body: String(coldStartAt) };`,
  "exits.mjs": `
    const coldStartAt = Date.now();
    export const handler = async (event) => {
      if (event.exit) process.exit(3);
      return { statusCode: 200, body: String(coldStartAt) };
    };`,
  "returns.mjs": `export const handler = async (event) => event.kind === "bigint" ? { statusCode: 1n } : undefined;`,
};

function fn(file: string, overrides: Partial<LocalFunctionOptions> = {}): LocalFunction {
  const local = new LocalFunction({
    functionName: `test-${file}`,
    moduleFile: join(dir, file),
    handlerName: "handler",
    environment: { APP_NAME: "Alpha" },
    timeoutMs: 5_000,
    memoryMb: 128,
    region: "eu-west-1",
    accountId: "000000000000",
    output: () => undefined,
    ...overrides,
  });
  started.push(local);
  return local;
}

async function bodyOf(local: LocalFunction, event: unknown = {}): Promise<Record<string, unknown>> {
  const result = (await local.invoke(event)) as { body: string };
  return JSON.parse(result.body) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dev-server-lambda-"));
  for (const [name, source] of Object.entries(FIXTURES)) await writeFile(join(dir, name), source);
});

afterAll(async () => {
  await Promise.all(started.map((local) => local.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe("a local function", () => {
  it("runs with its own environment only, so two functions in one process never share settings", async () => {
    const alpha = fn("env.mjs");
    const beta = fn("env.mjs", { environment: { APP_NAME: "Beta" } });
    const [a, b] = await Promise.all([bodyOf(alpha), bodyOf(beta)]);
    expect(a.app).toBe("Alpha");
    expect(b.app).toBe("Beta");
    // Nothing of the test process's environment (PATH, HOME, ...) leaks in.
    expect(a.envKeys).toEqual(["APP_NAME"]);
    expect(process.env.APP_NAME).toBeUndefined();
  });

  it("cold-starts in a runtime booted ahead, with nothing but its own environment, and stops it", async () => {
    const booted = new RuntimeWorker(128);
    const local = fn("env.mjs", { booted, environment: { APP_NAME: "Gamma" } });
    const body = await bodyOf(local);
    expect(body.app).toBe("Gamma");
    expect(body.envKeys).toEqual(["APP_NAME"]);
    // It ran in the booted worker: stopping the function ends that worker.
    expect(booted.usable).toBe(true);
    await local.stop();
    expect(booted.usable).toBe(false);
  });

  it("boots a fresh runtime when the one booted ahead is gone, or was booted for another memory size", async () => {
    const gone = new RuntimeWorker(128);
    await gone.stop();
    expect((await bodyOf(fn("env.mjs", { booted: gone }))).app).toBe("Alpha");
    const otherSize = new RuntimeWorker(256);
    expect((await bodyOf(fn("env.mjs", { booted: otherSize }))).app).toBe("Alpha");
    // Not taken: stopped rather than left running.
    await vi.waitFor(() => expect(otherSize.usable).toBe(false), { timeout: 5_000 });
  });

  it("gets the event as JSON and a Lambda context", async () => {
    const local = fn("env.mjs", { functionName: "sms-otp-local-generate" });
    const body = await bodyOf(local, { path: "/generate", nested: { a: [1, 2] } });
    expect(body.echo).toEqual({ path: "/generate", nested: { a: [1, 2] } });
    expect(body.context).toMatchObject({
      functionName: "sms-otp-local-generate",
      invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:sms-otp-local-generate",
      memoryLimitInMB: "128",
    });
    const context = body.context as { remaining: number; awsRequestId: string };
    expect(context.remaining).toBeGreaterThan(0);
    expect(context.remaining).toBeLessThanOrEqual(5_000);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps its module state between invocations (one cold start)", async () => {
    const local = fn("env.mjs");
    const outcome = await local.start();
    expect(outcome.ok).toBe(true);
    const first = await bodyOf(local);
    const second = await bodyOf(local);
    expect(second.coldStartAt).toBe(first.coldStartAt);
  });

  it("reads its heap, after the worker answers a collection request when asked (gc itself needs --expose-gc)", async () => {
    const local = fn("env.mjs");
    expect(await local.heapUsedBytes(true)).toBeUndefined();
    await bodyOf(local);
    const [plain, collected, again] = await Promise.all([
      local.heapUsedBytes(),
      local.heapUsedBytes(true),
      local.heapUsedBytes(true),
    ]);
    for (const bytes of [plain, collected, again]) expect(bytes).toBeGreaterThan(100_000);
    expect((await bodyOf(local)).app).toBe("Alpha");
  });

  it("reports a failing init phase, and fails invocations with it", async () => {
    const local = fn("init-fail.mjs");
    const outcome = await local.start();
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error.message).toContain("OTP_LENGTH: must be a whole number from 4 to 10");
    await expect(local.invoke({})).rejects.toThrow("OTP_LENGTH");
    const missing = await fn("no-handler.mjs").start();
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.errorType).toBe("Runtime.HandlerNotFound");
  });

  it("turns a thrown error into a function error", async () => {
    const error = await fn("throws.mjs")
      .invoke({})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FunctionError);
    expect(error).toMatchObject({ errorType: "TypeError", errorMessage: "boom" });
  });

  it("times out like Lambda, then starts a fresh execution environment", async () => {
    const local = fn("hangs.mjs", { timeoutMs: 300 });
    const before = (await local.invoke({})) as { body: string };
    await expect(local.invoke({ hang: true })).rejects.toMatchObject({ errorType: "Sandbox.Timedout" });
    const after = (await local.invoke({})) as { body: string };
    expect(after.body).not.toBe(before.body);
  });

  it("survives a handler that exits the runtime", async () => {
    const local = fn("exits.mjs");
    const before = (await local.invoke({})) as { body: string };
    await expect(local.invoke({ exit: true })).rejects.toMatchObject({ errorType: "Runtime.ExitError" });
    const after = (await local.invoke({})) as { body: string };
    expect(after.body).not.toBe(before.body);
  });

  it("returns what Lambda returns: null for undefined, an error for a result JSON cannot encode", async () => {
    const local = fn("returns.mjs");
    expect(await local.invoke({ kind: "undefined" })).toBeNull();
    await expect(local.invoke({ kind: "bigint" })).rejects.toBeInstanceOf(FunctionError);
  });

  it("forwards the function's console output line by line", async () => {
    await writeFile(
      join(dir, "logs.mjs"),
      `export const handler = async () => { console.log("one\\ntwo"); console.error("three"); return null; };`,
    );
    const lines: string[] = [];
    const local = fn("logs.mjs", { output: (line) => lines.push(line) });
    await local.invoke({});
    await expect.poll(() => lines.length).toBeGreaterThanOrEqual(3);
    expect(lines).toEqual(expect.arrayContaining(["one", "two", "three"]));
  });
});

describe("function bundles in watch mode (npm run dev)", () => {
  let root: string;
  let bundles: FunctionBundles | undefined;
  const outcomes: RebuildOutcome[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "dev-server-watch-"));
    await mkdir(join(root, "src"));
    await writeFile(
      join(root, "src", "entry.ts"),
      `export const handler = async () => ({ statusCode: 200, body: "v1" });\n`,
    );
  });
  afterAll(async () => {
    await bundles?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it("rebuilds on change, and a reload runs the new code; a broken edit keeps the last good build", async () => {
    bundles = await FunctionBundles.build({
      repoRoot: root,
      entries: [{ name: "demo", entry: "src/entry.ts" }],
      outDir: join(root, "out"),
      onRebuild: (outcome) => outcomes.push(outcome),
    });
    const local = fn("unused", { moduleFile: bundles.moduleFile("demo") });
    expect(await local.invoke({})).toMatchObject({ body: "v1" });

    await writeFile(
      join(root, "src", "entry.ts"),
      `export const handler = async () => ({ statusCode: 200, body: "v2" });\n`,
    );
    await expect.poll(() => outcomes.length, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    expect(outcomes.at(-1)?.ok).toBe(true);
    const reloaded = await local.reload();
    expect(reloaded.ok).toBe(true);
    expect(await local.invoke({})).toMatchObject({ body: "v2" });

    const count = outcomes.length;
    await writeFile(
      join(root, "src", "entry.ts"),
      `export const handler = async () => ({ statusCode: 200, body: "v3" ;\n`,
    );
    await expect.poll(() => outcomes.length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(count);
    const broken = outcomes.at(-1);
    expect(broken?.ok).toBe(false);
    expect(broken?.errors.join("\n")).toContain("entry.ts");
    expect(await local.invoke({})).toMatchObject({ body: "v2" });
  }, 40_000);

  it("refuses to start when the first build fails, naming the error", async () => {
    await writeFile(join(root, "src", "bad.ts"), "export const = ;\n");
    await expect(
      FunctionBundles.build({
        repoRoot: root,
        entries: [{ name: "bad", entry: "src/bad.ts" }],
        outDir: join(root, "bad-out"),
      }),
    ).rejects.toThrow(/do not build[\s\S]*bad\.ts/);
  });
});
