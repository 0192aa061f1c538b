import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type BuildOptions,
  type BuildResult,
  build,
  context,
  version as esbuildVersion,
  type Message,
  type Plugin,
} from "esbuild";
import { FUNCTION_BUILD_OPTIONS } from "#api-contract";
import { BundleCache } from "./bundle-cache.ts";

/**
 * The contract's esbuild options, the ones the CDK stack deploys with: the dev server runs the
 * same artefact, not the TypeScript sources. Only the build's chatter is the dev server's own.
 */
const LAMBDA_BUILD_OPTIONS = {
  ...FUNCTION_BUILD_OPTIONS,
  logLevel: "silent",
} as const satisfies BuildOptions;

interface BundleEntry {
  readonly name: string;
  /** The handler module, relative to the repository root (the route table's `entry`). */
  readonly entry: string;
}

export interface RebuildOutcome {
  readonly ok: boolean;
  /** esbuild's errors, formatted for a terminal. */
  readonly errors: readonly string[];
  readonly durationMs: number;
}

export interface FunctionBundlesOptions {
  readonly repoRoot: string;
  readonly entries: readonly BundleEntry[];
  readonly outDir: string;
  /** Rebuild when a source changes and call back after each rebuild (`npm run dev`). */
  readonly onRebuild?: (outcome: RebuildOutcome) => void;
  /**
   * Keep builds here and reuse one whose inputs are unchanged (ignored when watching, which
   * builds anyway); `outDir` is then unused.
   */
  readonly cacheDir?: string;
}

function formatMessages(messages: readonly Message[]): string[] {
  return messages.map((message) => {
    const where = message.location
      ? `${message.location.file}:${message.location.line}:${message.location.column}: `
      : "";
    return `${where}${message.text}`;
  });
}

/**
 * The functions' bundles, one `<name>/index.mjs` per route as CDK writes its assets; optionally
 * watched, so an edit under functions/src is rebuilt in milliseconds and the caller can reload.
 */
export class FunctionBundles {
  readonly outDir: string;
  readonly #dispose: () => Promise<void>;

  private constructor(outDir: string, dispose: () => Promise<void>) {
    this.outDir = outDir;
    this.#dispose = dispose;
  }

  /**
   * Builds every entry once (and starts watching when `onRebuild` is given).
   * @throws Error with esbuild's messages when the first build fails.
   */
  static async build(options: FunctionBundlesOptions): Promise<FunctionBundles> {
    const entryPoints: Record<string, string> = {};
    for (const { name, entry } of options.entries)
      entryPoints[`${name}/index`] = resolve(options.repoRoot, entry);
    if (options.cacheDir && !options.onRebuild) {
      return FunctionBundles.#cached(options.cacheDir, options.repoRoot, entryPoints);
    }

    let started = performance.now();
    let firstResult: ((result: BuildResult) => void) | undefined;
    const firstBuild = new Promise<BuildResult>((resolvePromise) => {
      firstResult = resolvePromise;
    });
    const { onRebuild } = options;
    const notify: Plugin = {
      name: "dev-server-reload",
      setup(build) {
        build.onStart(() => {
          started = performance.now();
        });
        build.onEnd((result: BuildResult) => {
          if (firstResult) {
            firstResult(result);
            firstResult = undefined;
            return;
          }
          onRebuild?.({
            ok: result.errors.length === 0,
            errors: formatMessages(result.errors),
            durationMs: Math.round(performance.now() - started),
          });
        });
      },
    };
    const ctx = await context({
      ...LAMBDA_BUILD_OPTIONS,
      entryPoints,
      outdir: options.outDir,
      plugins: [notify],
    });
    // Watch mode starts with a build of its own; otherwise build once.
    const errors = onRebuild
      ? await ctx.watch().then(async () => (await firstBuild).errors)
      : await ctx.rebuild().then(
          () => [],
          (error: { errors?: Message[] }) => error.errors ?? [{ text: String(error) } as Message],
        );
    if (errors.length > 0) {
      await ctx.dispose();
      throw new Error(`The functions do not build:\n${formatMessages(errors).join("\n")}`);
    }
    return new FunctionBundles(options.outDir, () => ctx.dispose());
  }

  /** A build reused from the cache, or made into it. */
  static async #cached(
    cacheDir: string,
    repoRoot: string,
    entryPoints: Record<string, string>,
  ): Promise<FunctionBundles> {
    const cache = new BundleCache(cacheDir, [LAMBDA_BUILD_OPTIONS, entryPoints, esbuildVersion], repoRoot);
    const hit = await cache.lookup();
    if (hit) return new FunctionBundles(hit, async () => undefined);
    const outdir = await cache.newBuildDir();
    try {
      const result = await build({
        ...LAMBDA_BUILD_OPTIONS,
        entryPoints,
        outdir,
        absWorkingDir: repoRoot,
        metafile: true,
      });
      await cache.commit(outdir, Object.keys(result.metafile.inputs));
    } catch (error) {
      await rm(outdir, { recursive: true, force: true });
      const messages = (error as { errors?: Message[] }).errors ?? [{ text: String(error) } as Message];
      throw new Error(`The functions do not build:\n${formatMessages(messages).join("\n")}`);
    }
    return new FunctionBundles(outdir, async () => undefined);
  }

  /** The bundled module of one route. */
  moduleFile(name: string): string {
    return join(this.outDir, name, "index.mjs");
  }

  /** Stops watching and releases esbuild. */
  async dispose(): Promise<void> {
    await this.#dispose();
  }
}
