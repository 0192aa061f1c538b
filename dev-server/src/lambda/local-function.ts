import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ContextData, ErrorData, SandboxMessage, WorkerMessage } from "./protocol.ts";

/** An invocation that failed the way a Lambda invocation fails: error, timeout, crash or init error. */
export class FunctionError extends Error {
  override readonly name = "FunctionError";
  readonly errorType: string;
  readonly errorMessage: string;
  readonly errorStack: string | undefined;

  constructor(errorType: string, errorMessage: string, errorStack: string | undefined = undefined) {
    super(`${errorType}: ${errorMessage}`);
    this.errorType = errorType;
    this.errorMessage = errorMessage;
    this.errorStack = errorStack;
  }

  static from(data: ErrorData): FunctionError {
    return new FunctionError(data.errorType, data.errorMessage, data.stack);
  }
}

export interface LocalFunctionOptions {
  /** The deployed function's name, e.g. `sms-otp-local-generate`. */
  readonly functionName: string;
  /** The bundled handler module (`index.mjs`), re-read on every cold start. */
  readonly moduleFile: string;
  readonly handlerName: string;
  /** The function's whole `process.env`: nothing of the dev server's own environment leaks in. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly region: string;
  readonly accountId: string;
  /** Where the function's stdout and stderr lines go (its "CloudWatch log stream"). */
  readonly output: (line: string) => void;
  /** A runtime booted ahead (see {@link RuntimeWorker}), taken by the first cold start. */
  readonly booted?: RuntimeWorker;
}

const WORKER_RUNTIME = new URL("./worker-runtime.ts", import.meta.url);

/**
 * A worker thread with the runtime loaded and no function yet. Booting one (a Node instance of its
 * own, and the runtime's TypeScript) is most of a local cold start before the handler module is
 * even read, and needs nothing of the function: the dev server boots them while it starts the
 * emulator, and the cold start only loads the module into one.
 */
export class RuntimeWorker {
  readonly worker: Worker;
  readonly memoryMb: number;
  #exited = false;

  constructor(memoryMb: number) {
    this.memoryMb = memoryMb;
    this.worker = new Worker(WORKER_RUNTIME, {
      // Empty: the function's environment arrives with the init message, whole.
      env: {},
      // The bundle is plain JavaScript: no loaders (tsx, Vitest) from the parent in the sandbox.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    this.worker.once("exit", () => {
      this.#exited = true;
    });
    // Until a sandbox takes it, nobody else listens: a runtime that fails to boot must not
    // become an unhandled 'error' event of the dev server (it exits, and is not used).
    this.worker.on("error", () => undefined);
  }

  /** Whether a cold start can still use it (it may have crashed while it waited). */
  get usable(): boolean {
    return !this.#exited;
  }

  async stop(): Promise<void> {
    if (!this.#exited) await this.worker.terminate();
  }
}

interface Pending {
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: FunctionError) => void;
  readonly timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread with the function's environment and module loaded. */
class Sandbox {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  /** Waiting for the worker's answer to a `collect` message, oldest first. */
  readonly #collecting: (() => void)[] = [];
  readonly ready: Promise<number>;
  #nextId = 1;
  #exited = false;
  #stopping = false;
  #draining = false;

  readonly options: LocalFunctionOptions;

  constructor(
    options: LocalFunctionOptions,
    onExit: (sandbox: Sandbox) => void,
    booted: RuntimeWorker | undefined,
  ) {
    this.options = options;
    const runtime = booted?.usable && booted.memoryMb === options.memoryMb ? booted : undefined;
    if (booted && !runtime) void booted.stop();
    this.#worker = (runtime ?? new RuntimeWorker(options.memoryMb)).worker;
    forwardLines(this.#worker.stdout, options.output);
    forwardLines(this.#worker.stderr, options.output);
    this.ready = new Promise<number>((resolve, reject) => {
      this.#worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") resolve(message.initMs);
        else if (message.type === "init-error") reject(FunctionError.from(message.error));
        else if (message.type === "collected") this.#collecting.shift()?.();
        else this.#settle(message);
      });
      this.#worker.on("error", (error) => {
        const failure = new FunctionError(
          "Runtime.ExitError",
          `the runtime crashed: ${error.message}`,
          error.stack,
        );
        reject(failure);
        this.#failAll(failure);
      });
      this.#worker.on("exit", (code) => {
        this.#exited = true;
        const failure = new FunctionError("Runtime.ExitError", `the runtime exited with code ${code}`);
        reject(failure);
        this.#failAll(failure);
        onExit(this);
      });
    });
    // A failed init is reported to whoever awaits `ready`; never an unhandled rejection.
    this.ready.catch(() => undefined);
    this.#worker.postMessage({
      type: "init",
      moduleUrl: pathToFileURL(options.moduleFile).href,
      handlerName: options.handlerName,
      environment: { ...options.environment },
    } satisfies SandboxMessage);
  }

  invoke(event: unknown): Promise<unknown> {
    if (this.#exited) return Promise.reject(new FunctionError("Runtime.ExitError", "the runtime has exited"));
    const id = this.#nextId++;
    const { options } = this;
    const deadlineMs = Date.now() + options.timeoutMs;
    const context: ContextData = {
      awsRequestId: randomUUID(),
      functionName: options.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
      memoryLimitInMB: String(options.memoryMb),
      logGroupName: `/aws/lambda/${options.functionName}`,
      logStreamName: "local",
      deadlineMs,
    };
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const seconds = (options.timeoutMs / 1000).toFixed(2);
        reject(new FunctionError("Sandbox.Timedout", `Task timed out after ${seconds} seconds`));
        // Lambda discards an execution environment after a timeout; so do we.
        void this.stop();
      }, options.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#worker.postMessage({ type: "invoke", id, event: JSON.stringify(event), context });
    });
  }

  /** Stops once the invocations under way have settled (a reload never cuts a request short). */
  async drain(): Promise<void> {
    this.#draining = true;
    if (this.#pending.size === 0) await this.stop();
  }

  /**
   * Bytes of the function's JavaScript heap in use; undefined while it starts or once it is gone.
   * With `collect`, the worker first collects garbage (when Node exposes `gc`), so this is the live heap.
   */
  async heapUsedBytes(collect = false): Promise<number | undefined> {
    if (!this.alive) return undefined;
    try {
      if (collect) await this.#collect();
      return (await this.#worker.getHeapStatistics()).used_heap_size;
    } catch {
      // Not running yet, exiting meanwhile, or too busy to collect in time.
      return undefined;
    }
  }

  #collect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // A worker busy in a long invocation answers late; the reading is then simply not collected.
      const timer = setTimeout(() => reject(new Error("the worker did not collect in time")), 5_000);
      this.#collecting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#worker.postMessage({ type: "collect" } satisfies SandboxMessage);
    });
  }

  /** False once the environment is stopping or gone: the next invocation needs a cold start. */
  get alive(): boolean {
    return !this.#exited && !this.#stopping && !this.#draining;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#exited) return;
    await this.#worker.terminate();
  }

  #settle(message: Extract<WorkerMessage, { id: number }>): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.type === "error") {
      pending.reject(FunctionError.from(message.error));
    } else {
      pending.resolve(JSON.parse(message.payload));
    }
    if (this.#draining && this.#pending.size === 0) void this.stop();
  }

  #failAll(error: FunctionError): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}

function forwardLines(stream: NodeJS.ReadableStream, output: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      output(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  });
  stream.on("end", () => {
    if (buffered !== "") output(buffered);
    buffered = "";
  });
}

/** The result of a (re)start: how long the init phase took, or why it failed. */
export type InitOutcome =
  | { readonly ok: true; readonly initMs: number }
  | { readonly ok: false; readonly error: FunctionError };

/**
 * A Lambda function run locally: the bundled handler in a worker thread of its own, with its own
 * `process.env` (two dev servers in one process never share configuration), a cold start that
 * runs the module's top-level code, the function timeout, and a fresh execution environment after
 * a crash, a timeout or a failed init, as Lambda does.
 */
export class LocalFunction {
  readonly options: LocalFunctionOptions;
  #sandbox: Sandbox | undefined;
  /** The runtime booted ahead, until the first cold start takes it. */
  #booted: RuntimeWorker | undefined;

  constructor(options: LocalFunctionOptions) {
    this.options = options;
    this.#booted = options.booted;
  }

  /** Cold-starts an execution environment now (instead of on the first request). */
  async start(): Promise<InitOutcome> {
    return this.#coldStart();
  }

  /**
   * Swaps in a fresh execution environment that loads the module file again (after a rebuild);
   * invocations under way finish in the old one.
   */
  async reload(): Promise<InitOutcome> {
    const old = this.#sandbox;
    this.#sandbox = undefined;
    await old?.drain();
    return this.#coldStart();
  }

  /**
   * Invokes the handler with an event and returns its result as Lambda would (JSON round trip).
   * @throws FunctionError when the handler throws, times out, crashes or cannot initialise.
   */
  async invoke(event: unknown): Promise<unknown> {
    let sandbox = this.#sandbox;
    if (!sandbox?.alive) {
      const outcome = await this.#coldStart();
      if (!outcome.ok) throw outcome.error;
      sandbox = this.#sandbox;
    }
    if (!sandbox) throw new FunctionError("Runtime.ExitError", "the execution environment is gone");
    try {
      await sandbox.ready;
    } catch (error) {
      throw error instanceof FunctionError ? error : new FunctionError("Runtime.Unknown", String(error));
    }
    return sandbox.invoke(event);
  }

  /** Bytes of the current execution environment's heap in use, if one is running (see Sandbox). */
  async heapUsedBytes(collect = false): Promise<number | undefined> {
    return this.#sandbox?.heapUsedBytes(collect);
  }

  async stop(): Promise<void> {
    const sandbox = this.#sandbox;
    const booted = this.#booted;
    this.#sandbox = undefined;
    this.#booted = undefined;
    await Promise.all([sandbox?.stop(), booted?.stop()]);
  }

  async #coldStart(): Promise<InitOutcome> {
    const booted = this.#booted;
    this.#booted = undefined;
    const sandbox = new Sandbox(
      this.options,
      (exited) => {
        if (this.#sandbox === exited) this.#sandbox = undefined;
      },
      booted,
    );
    this.#sandbox = sandbox;
    try {
      return { ok: true, initMs: await sandbox.ready };
    } catch (error) {
      // Lambda retries the init on the next invocation; so do we.
      if (this.#sandbox === sandbox) this.#sandbox = undefined;
      await sandbox.stop();
      return {
        ok: false,
        error: error instanceof FunctionError ? error : new FunctionError("Runtime.Unknown", String(error)),
      };
    }
  }
}
