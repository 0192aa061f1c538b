/**
 * The "Lambda runtime" inside a function's worker thread: told which function it runs (its first
 * message), it loads the bundled handler module once (the init phase, with the function's own
 * `process.env`), then runs invocations sent by the dev server. Node runs this file directly
 * (type stripping), so it imports only types and builtins.
 */
import { parentPort } from "node:worker_threads";
import type { ContextData, ErrorData, InitMessage, SandboxMessage, WorkerMessage } from "./protocol.ts";

type Handler = (event: unknown, context: unknown) => unknown;

// Locally, stack traces of the minified bundle point at the sources. The deployed functions go
// without: there, Node would parse the source map on every cold start (infra/README.md).
process.setSourceMapsEnabled(true);

function errorData(error: unknown): ErrorData {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  }
  return { errorType: "Error", errorMessage: String(error), stack: undefined };
}

function send(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function lambdaContext(data: ContextData) {
  return {
    ...data,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, data.deadlineMs - Date.now()),
  };
}

async function init({ moduleUrl, handlerName, environment }: InitMessage): Promise<Handler | undefined> {
  // The worker was started with an empty environment; the function's becomes its whole one.
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, environment);
  const started = performance.now();
  try {
    const module = (await import(moduleUrl)) as Record<string, unknown>;
    const handler = module[handlerName];
    if (typeof handler !== "function") {
      const error = new Error(`${moduleUrl} does not export a function named ${handlerName}`);
      error.name = "Runtime.HandlerNotFound";
      throw error;
    }
    send({ type: "ready", initMs: Math.round(performance.now() - started) });
    return handler as Handler;
  } catch (error) {
    send({ type: "init-error", error: errorData(error) });
    return undefined;
  }
}

let handler: Handler | undefined;
parentPort?.on("message", async (message: SandboxMessage) => {
  if (message.type === "init") {
    handler = await init(message);
    return;
  }
  if (message.type === "collect") {
    (globalThis as { gc?: () => void }).gc?.();
    send({ type: "collected" });
    return;
  }
  // The dev server invokes only after `ready`; a failed init never gets here.
  if (!handler) return;
  try {
    const result = await handler(JSON.parse(message.event), lambdaContext(message.context));
    send({ type: "response", id: message.id, payload: JSON.stringify(result) ?? "null" });
  } catch (error) {
    send({ type: "error", id: message.id, error: errorData(error) });
  }
});
