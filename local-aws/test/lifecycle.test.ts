import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startEmbeddedAws } from "../src/emulator/embedded-aws.ts";

const run = promisify(execFile);

/** Whether something can bind 127.0.0.1:port right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("embedded stack lifecycle", () => {
  it("frees its port on stop, and stop can be called twice", async () => {
    const aws = await startEmbeddedAws({ port: 0 });
    expect(await portIsFree(aws.port)).toBe(false);
    await aws.stop();
    await aws.stop();
    expect(await portIsFree(aws.port)).toBe(true);

    // The same port works again right away (what `npm start` after Ctrl-C does).
    const again = await startEmbeddedAws({ port: aws.port });
    try {
      expect((await fetch(`${again.endpoint}/health`)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it("refuses a busy port with an error that says what to do", async () => {
    const first = await startEmbeddedAws({ port: 0 });
    try {
      await expect(startEmbeddedAws({ port: first.port })).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${first.port} is already in use.*LOCAL_AWS_PORT.*AWS_ENDPOINT_URL`),
      );
      // The failed start left the running stack alone.
      expect((await fetch(`${first.endpoint}/health`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  });

  it("leaves no socket or timer behind: a process that stops it exits on its own", async () => {
    const script = fileURLToPath(new URL("./fixtures/start-use-stop.ts", import.meta.url));
    // The child holds a 20 s SQS long poll open when it stops the stack; only a clean stop lets it
    // end early. The kill timeout is a safety net for a leak, far above a healthy run.
    const { stdout } = await run(process.execPath, [script], { timeout: 15_000 });
    expect(stdout.trim()).toBe("stopped");
  }, 20_000);
});
