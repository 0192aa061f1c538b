import { existsSync, type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "#api-contract";
import type { DevLog } from "./log.ts";

async function build(outDir: string): Promise<void> {
  const { buildWeb } = await import("#web/build");
  await buildWeb({ outDir });
}

/** The page: built into the server's own directory (no race with other builds), else web/dist. */
export async function buildPage(outDir: string, log: DevLog): Promise<string | undefined> {
  try {
    await build(outDir);
    return outDir;
  } catch (error) {
    const dist = join(REPO_ROOT, "web", "dist");
    const fallback = existsSync(join(dist, "index.html")) ? dist : undefined;
    log.warn(
      `the page did not build (${error instanceof Error ? error.message : String(error)}); ${
        fallback ? "serving web/dist" : "serving a placeholder page"
      }`,
    );
    return fallback;
  }
}

/** Rebuilds the page into `outDir` whenever a file under web/src changes (`npm run dev`). */
export function watchPage(outDir: string, log: DevLog): FSWatcher | undefined {
  const sources = join(REPO_ROOT, "web", "src");
  if (!existsSync(sources)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  return watch(sources, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const started = performance.now();
      try {
        await build(outDir);
        log.info(`↻ page rebuilt in ${Math.round(performance.now() - started)} ms (reload the browser)`);
      } catch (error) {
        log.error(`the page does not build: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, 100);
  });
}
