import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/**
 * Function bundles kept across restarts, so `npm start` builds only when something it bundles
 * changed. A build is found again by a key (the build options and entries) and by the content
 * hash of every input esbuild read (from its metafile), so a changed dependency or source is
 * never served stale. Builds live in their own directories and are never rewritten in place: a
 * server still running an older one keeps its files.
 */

interface Manifest {
  readonly key: string;
  /** Directory of the build, relative to the cache. */
  readonly build: string;
  /** Every input file esbuild read, relative to the working directory, with its content hash. */
  readonly inputs: Readonly<Record<string, string>>;
}

/** Builds kept besides the newest: servers started moments ago may still be loading them. */
const KEPT_BUILDS = 3;

async function fileHash(path: string): Promise<string | undefined> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("base64url");
  } catch {
    return undefined;
  }
}

export class BundleCache {
  readonly #dir: string;
  readonly #key: string;
  readonly #workingDir: string;

  /**
   * @param dir where builds are kept (e.g. node_modules/.cache/sms-otp/functions)
   * @param keyParts everything besides the input files that decides the output
   * @param workingDir the directory the metafile's input paths are relative to
   */
  constructor(dir: string, keyParts: unknown, workingDir: string) {
    this.#dir = dir;
    this.#key = createHash("sha256").update(JSON.stringify(keyParts)).digest("base64url");
    this.#workingDir = workingDir;
  }

  /** The directory of a build made with the same key from the same inputs, if there is one. */
  async lookup(): Promise<string | undefined> {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(join(this.#dir, "manifest.json"), "utf8")) as Manifest;
    } catch {
      return undefined;
    }
    if (manifest.key !== this.#key) return undefined;
    const entries = Object.entries(manifest.inputs);
    const hashes = await Promise.all(entries.map(([path]) => fileHash(resolve(this.#workingDir, path))));
    if (hashes.some((hash, index) => hash !== entries[index]?.[1])) return undefined;
    const build = join(this.#dir, manifest.build);
    return (await stat(build).catch(() => undefined))?.isDirectory() ? build : undefined;
  }

  /** A fresh directory for a build; `commit` it once the build succeeded. */
  async newBuildDir(): Promise<string> {
    const build = join(this.#dir, `build-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`);
    await mkdir(build, { recursive: true });
    return build;
  }

  /** Records a finished build and its inputs (metafile paths) as the one to reuse. */
  async commit(build: string, inputPaths: readonly string[]): Promise<void> {
    const inputs: Record<string, string> = {};
    const hashes = await Promise.all(inputPaths.map((path) => fileHash(resolve(this.#workingDir, path))));
    inputPaths.forEach((path, index) => {
      const hash = hashes[index];
      if (hash !== undefined) inputs[path] = hash;
    });
    const manifest: Manifest = { key: this.#key, build: build.slice(this.#dir.length + 1), inputs };
    const temporary = join(this.#dir, `manifest-${randomBytes(4).toString("hex")}.json`);
    await writeFile(temporary, JSON.stringify(manifest));
    // Atomic: a concurrent reader sees the old manifest or the new one, never half of one.
    await rename(temporary, join(this.#dir, "manifest.json"));
    await this.#prune(build);
  }

  async #prune(keep: string): Promise<void> {
    const builds = (await readdir(this.#dir)).filter((name) => name.startsWith("build-"));
    const dated = await Promise.all(
      // Another server may be pruning too: a build gone meanwhile is simply left out.
      builds.map(async (name) => ({
        name,
        mtime: (await stat(join(this.#dir, name)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    const old = dated
      .filter(({ name }) => join(this.#dir, name) !== keep)
      .sort((a, b) => b.mtime - a.mtime)
      .slice(KEPT_BUILDS);
    await Promise.all(old.map(({ name }) => rm(join(this.#dir, name), { recursive: true, force: true })));
  }
}
