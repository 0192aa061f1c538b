/**
 * The embedded emulator inside its own worker thread (see thread.ts). Node runs this file directly
 * (type stripping), as it runs the dev server. A worker is a Node instance of its own: it uses the
 * parent's compile cache only when told where it is, before the emulator's modules load, hence the
 * dynamic import.
 */
import { enableCompileCache } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { EmbeddedAwsOptions } from "./embedded-aws.ts";
import type { ThreadCommand, ThreadReport, ThreadStart } from "./thread.ts";

function report(message: ThreadReport): void {
  parentPort?.postMessage(message);
}

const { options, compileCacheDir } = workerData as ThreadStart;
if (compileCacheDir) enableCompileCache(compileCacheDir);

try {
  const { startEmbeddedAws } = await import("./embedded-aws.ts");
  const aws = await startEmbeddedAws(options as EmbeddedAwsOptions);
  parentPort?.on("message", async (command: ThreadCommand) => {
    if (command.type === "collect") {
      (globalThis as { gc?: () => void }).gc?.();
      report({ type: "collected" });
    } else {
      await aws.stop();
      report({ type: "stopped" });
      parentPort?.close();
    }
  });
  report({ type: "ready", endpoint: aws.endpoint, port: aws.port });
} catch (error) {
  const { message, code, cause } = error as { message?: unknown; code?: unknown; cause?: { code?: unknown } };
  report({
    type: "start-error",
    message: String(message ?? error),
    code: [code, cause?.code].find((value): value is string => typeof value === "string"),
  });
}
