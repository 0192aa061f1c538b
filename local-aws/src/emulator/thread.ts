import { getCompileCacheDir } from "node:module";
import { Worker } from "node:worker_threads";
import type { EmbeddedAws, EmbeddedAwsOptions } from "./embedded-aws.ts";

/** What the emulator thread starts with: the emulator's options, and the parent's compile cache. */
export interface ThreadStart {
  readonly options: EmbeddedAwsOptions;
  readonly compileCacheDir: string | undefined;
}

/** What the emulator thread is told. */
export type ThreadCommand = { readonly type: "collect" } | { readonly type: "stop" };

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
 * The embedded emulator in a worker thread of its own: the same emulator as `startEmbeddedAws`,
 * whose work (and stored data) stays off the caller's thread. The dev server runs it so: its own
 * heap then holds only the server, and the emulator's CPU time runs beside the API's.
 * @throws the emulator's start-up error, with its `code` (`EADDRINUSE` for a port in use).
 */
export async function startEmbeddedAwsThread(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAwsThread> {
  // No loaders of the parent (tsx, Vitest) in the thread: Node strips the types itself.
  const start: ThreadStart = { options, compileCacheDir: getCompileCacheDir() };
  const worker = new Worker(THREAD_RUNTIME, { workerData: start, execArgv: [] });
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
  const answer = (command: ThreadCommand, expected: ThreadReport["type"]) =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      waiting.set(expected, [...(waiting.get(expected) ?? []), resolve]);
      worker.postMessage(command);
    });

  let address: { endpoint: string; port: number };
  try {
    address = await started;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
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
