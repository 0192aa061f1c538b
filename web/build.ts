import { copyFile, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const webDir = dirname(fileURLToPath(import.meta.url));
const srcDir = join(webDir, "src");

/** Browsers the bundle targets: evergreen ones from the last few years (WebOTP is optional). */
const TARGETS = ["chrome100", "firefox100", "safari15", "edge100"];

export interface BuildWebOptions {
  /** Where to write the page; `web/dist` by default. Emptied first. */
  readonly outDir?: string;
  /** Minify JavaScript and CSS; true by default. */
  readonly minify?: boolean;
}

export interface BuildWebResult {
  readonly outDir: string;
  /** Bytes of each file written, by name. */
  readonly files: Record<string, number>;
  readonly totalBytes: number;
}

/**
 * Builds the static page: `index.html`, `app.js` (the TypeScript in `web/src` bundled by esbuild)
 * and `styles.css`. No `config.json`: the dev server serves one with an empty `apiUrl` and the
 * CDK stack writes the real API URL next to the page at deploy time.
 */
export async function buildWeb(options: BuildWebOptions = {}): Promise<BuildWebResult> {
  const outDir = resolve(options.outDir ?? join(webDir, "dist"));
  const minify = options.minify ?? true;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  await build({
    entryPoints: { app: join(srcDir, "main.ts"), styles: join(srcDir, "styles.css") },
    outdir: outDir,
    bundle: true,
    // A classic deferred script: no module loader needed, and it runs after the DOM is parsed.
    format: "iife",
    target: TARGETS,
    minify,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
  });
  await copyFile(join(srcDir, "index.html"), join(outDir, "index.html"));

  const files: Record<string, number> = {};
  for (const name of (await readdir(outDir)).sort()) {
    files[name] = (await stat(join(outDir, name))).size;
  }
  const totalBytes = Object.values(files).reduce((sum, size) => sum + size, 0);
  return { outDir, files, totalBytes };
}

/** Gzip size of each file (level 9), as a CDN would serve them. */
export async function gzipSizes(outDir: string, names: readonly string[]): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const name of names) sizes[name] = gzipSync(await readFile(join(outDir, name)), { level: 9 }).length;
  return sizes;
}

const isScript =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isScript) {
  const result = await buildWeb();
  const gzipped = await gzipSizes(result.outDir, Object.keys(result.files));
  let gzipTotal = 0;
  for (const [name, bytes] of Object.entries(result.files)) {
    const gz = gzipped[name] ?? 0;
    gzipTotal += gz;
    console.log(`${name.padEnd(12)} ${String(bytes).padStart(7)} B  ${String(gz).padStart(6)} B gzip`);
  }
  console.log(
    `${"total".padEnd(12)} ${String(result.totalBytes).padStart(7)} B  ${String(gzipTotal).padStart(6)} B gzip`,
  );
  console.log(`Wrote ${result.outDir}`);
}
