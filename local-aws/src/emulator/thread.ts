import { getCompileCacheDir } from "node:module";
import { Worker } from "node:worker_threads";
import type { EmbeddedAws, EmbeddedAwsOptions } from "./embedded-aws.ts";

/** What the emulator thread boots with: the parent's compile cache. */
export interface ThreadBoot {
  readonly compileCacheDir: string | undefined;
}

/** What the emulator thread is told; `start` (with the emulator's options) comes first. */
export type ThreadCommand =
  | { readonly type: "start"; readonly options: EmbeddedAwsOptions }
  | { readonly type: "collect" }
  | { readonly type: "stop" };

/** What the emulator thread answers. */
export type ThreadReport =
  | { readonly type: "ready"; readonly endpoint: string; readonly port: number }
  | { readonly type: "start-error"; readonly message: string; readonly code: string | undefined }
  | { readonly type: "collected" }
  | { readonly type: "stopped" };

/** The emulator thread's memory: its heap in use, and its Buffers outside the heap (the stored items). */
export interface ThreadMemory {
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

export interface EmbeddedAwsThread extends EmbeddedAws {
  /**
   * The emulator thread's memory; undefined once it stopped. With `collect`, it first collects
   * garbage (when Node runs with `--expose-gc`), so the heap is what is live.
   */
  memory(collect?: boolean): Promise<ThreadMemory | undefined>;
}

const THREAD_RUNTIME = new URL("./thread-runtime.ts", import.meta.url);

/**
 * The emulator's thread, booted (a Node instance of its own, with the emulator's modules loading)
 * but not listening yet. Booting is most of the start and needs no options, so a caller can boot
 * it first thing and start it once its configuration is known (`npm start` does).
 */
export interface BootedAwsThread {
  /**
   * Starts the emulator in the thread (once).
   * @throws the emulator's start-up error, with its `code` (`EADDRINUSE` for a port in use).
   */
  start(options?: EmbeddedAwsOptions): Promise<EmbeddedAwsThread>;
  /**
   * Ends the thread, started or not: for one that turns out not to be needed, or as a last resort
   * (a started one is better stopped first, which lets the emulator close).
   */
  discard(): Promise<void>;
}

/**
 * Boots the embedded emulator's thread: the same emulator as `startEmbeddedAws`, whose work (and
 * stored data) stays off the caller's thread. The dev server runs it so: its own heap then holds
 * only the server, and the emulator's CPU time runs beside the API's.
 */
export function bootEmbeddedAwsThread(): BootedAwsThread {
  // No loaders of the parent (tsx, Vitest) in the thread: Node strips the types itself.
  const boot: ThreadBoot = { compileCacheDir: getCompileCacheDir() };
  const worker = new Worker(THREAD_RUNTIME, { workerData: boot, execArgv: [] });
  const waiting = new Map<ThreadReport["type"], (() => void)[]>();
  let exited = false;
  const started = new Promise<{ endpoint: string; port: number }>((resolve, reject) => {
    worker.on("message", (message: ThreadReport) => {
      if (message.type === "ready") resolve(message);
      else if (message.type === "start-error") {
        reject(Object.assign(new Error(message.message), { code: message.code }));
      } else waiting.get(message.type)?.shift()?.();
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      exited = true;
      reject(new Error(`the emulator thread exited with code ${code}`));
      for (const resolvers of waiting.values()) for (const resolve of resolvers.splice(0)) resolve();
    });
  });
  // Until `start` awaits it, a thread that dies while booting is no unhandled rejection.
  started.catch(() => undefined);
  const answer = (command: ThreadCommand, expected: ThreadReport["type"]) =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      waiting.set(expected, [...(waiting.get(expected) ?? []), resolve]);
      worker.postMessage(command);
    });

  let starting: Promise<EmbeddedAwsThread> | undefined;
  return {
    start(options = {}) {
      starting ??= (async () => {
        worker.postMessage({ type: "start", options } satisfies ThreadCommand);
        try {
          return running(await started);
        } catch (error) {
          await worker.terminate();
          throw error;
        }
      })();
      return starting;
    },
    async discard() {
      await worker.terminate();
    },
  };

  function running(address: { endpoint: string; port: number }): EmbeddedAwsThread {
    let stopping: Promise<void> | undefined;
    return {
      ...address,
      async memory(collect = false) {
        if (exited) return undefined;
        if (collect) await answer({ type: "collect" }, "collected");
        if (exited) return undefined;
        const heap = await worker.getHeapStatistics();
        return { heapUsedBytes: heap.used_heap_size, externalBytes: heap.external_memory };
      },
      stop() {
        stopping ??= answer({ type: "stop" }, "stopped").then(async () => {
          await worker.terminate();
        });
        return stopping;
      },
    };
  }
}

/**
 * Boots the embedded emulator's thread and starts it (see {@link bootEmbeddedAwsThread}).
 * @throws the emulator's start-up error, with its `code` (`EADDRINUSE` for a port in use).
 */
export function startEmbeddedAwsThread(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAwsThread> {
  return bootEmbeddedAwsThread().start(options);
}
