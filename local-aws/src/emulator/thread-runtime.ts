/**
 * The embedded emulator inside its own worker thread (see thread.ts). Node runs this file directly
 * (type stripping), as it runs the dev server.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type EmbeddedAwsOptions, startEmbeddedAws } from "./embedded-aws.ts";
import type { ThreadCommand, ThreadReport } from "./thread.ts";

function report(message: ThreadReport): void {
  parentPort?.postMessage(message);
}

try {
  const aws = await startEmbeddedAws(workerData as EmbeddedAwsOptions);
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
