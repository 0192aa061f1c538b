/**
 * The embedded emulator inside its own worker thread (see thread.ts). Node runs this file directly
 * (type stripping), as it runs the dev server. A worker is a Node instance of its own: it uses the
 * parent's compile cache only when told where it is, before the emulator's modules load, hence the
 * dynamic import. The modules load as soon as the thread boots; the emulator listens once the
 * `start` command brings its options.
 */
import { enableCompileCache } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { EmbeddedAws, EmbeddedAwsOptions } from "./embedded-aws.ts";
import type { ThreadBoot, ThreadCommand, ThreadReport } from "./thread.ts";

function report(message: ThreadReport): void {
  parentPort?.postMessage(message);
}

const { compileCacheDir } = workerData as ThreadBoot;
if (compileCacheDir) enableCompileCache(compileCacheDir);

const loading = import("./embedded-aws.ts");
// Reported when `start` awaits it.
loading.catch(() => undefined);
let aws: EmbeddedAws | undefined;

async function start(options: EmbeddedAwsOptions): Promise<void> {
  try {
    const { startEmbeddedAws } = await loading;
    aws = await startEmbeddedAws(options);
    report({ type: "ready", endpoint: aws.endpoint, port: aws.port });
  } catch (error) {
    const { message, code, cause } = error as {
      message?: unknown;
      code?: unknown;
      cause?: { code?: unknown };
    };
    report({
      type: "start-error",
      message: String(message ?? error),
      code: [code, cause?.code].find((value): value is string => typeof value === "string"),
    });
  }
}

parentPort?.on("message", async (command: ThreadCommand) => {
  if (command.type === "start") {
    await start(command.options);
  } else if (command.type === "collect") {
    (globalThis as { gc?: () => void }).gc?.();
    report({ type: "collected" });
  } else {
    await aws?.stop();
    report({ type: "stopped" });
    parentPort?.close();
  }
});
