import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/**
 * Function bundles kept across restarts, so `npm start` builds only when something it bundles
 * changed. A build is found again by a key (the build options and entries) and by every input
 * esbuild read (from its metafile), so a changed dependency or source is never served stale.
 * Each input is recorded with its size, modification time and content hash: an input whose size
 * and time are unchanged is taken as unchanged (a stat instead of reading and hashing some 900
 * files, most of the cache's cost), any other is hashed and compared. Builds live in their own
 * directories and are never rewritten in place: a server still running an older one keeps its
 * files.
 */

interface InputStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

interface Manifest {
  readonly key: string;
  /** Directory of the build, relative to the cache. */
  readonly build: string;
  /** Every input file esbuild read, relative to the working directory. */
  readonly inputs: Readonly<Record<string, InputStamp>>;
}

/** Builds kept besides the newest: servers started moments ago may still be loading them. */
const KEPT_BUILDS = 3;
/** Part of every key: a manifest of an older shape is never read as this one. */
const MANIFEST_VERSION = 2;

function hashOf(content: Buffer): string {
  return createHash("sha256").update(content).digest("base64url");
}

async function stampOf(path: string): Promise<InputStamp | undefined> {
  try {
    const [info, content] = await Promise.all([stat(path), readFile(path)]);
    return { size: info.size, mtimeMs: info.mtimeMs, hash: hashOf(content) };
  } catch {
    return undefined;
  }
}

/**
 * The input as it is now if it still matches its stamp (with a fresh time when only that moved),
 * or undefined when it changed or is gone.
 */
async function unchanged(path: string, recorded: InputStamp): Promise<InputStamp | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.size === recorded.size && info.mtimeMs === recorded.mtimeMs) return recorded;
  if (info.size !== recorded.size) return undefined;
  const current = await stampOf(path);
  return current?.hash === recorded.hash ? current : undefined;
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
    this.#key = hashOf(Buffer.from(JSON.stringify([MANIFEST_VERSION, keyParts])));
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
    const now = await Promise.all(
      entries.map(([path, recorded]) => unchanged(resolve(this.#workingDir, path), recorded)),
    );
    if (now.some((stamp) => stamp === undefined)) return undefined;
    const build = join(this.#dir, manifest.build);
    if (!(await stat(build).catch(() => undefined))?.isDirectory()) return undefined;
    // Inputs touched but not changed (a reinstall, a checkout): record their new times, so the
    // next start need not hash them again.
    if (now.some((stamp, index) => stamp !== entries[index]?.[1])) {
      const inputs = Object.fromEntries(entries.map(([path], index) => [path, now[index] as InputStamp]));
      await this.#writeManifest({ ...manifest, inputs });
    }
    return build;
  }

  /** A fresh directory for a build; `commit` it once the build succeeded. */
  async newBuildDir(): Promise<string> {
    const build = join(this.#dir, `build-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`);
    await mkdir(build, { recursive: true });
    return build;
  }

  /** Records a finished build and its inputs (metafile paths) as the one to reuse. */
  async commit(build: string, inputPaths: readonly string[]): Promise<void> {
    const stamps = await Promise.all(inputPaths.map((path) => stampOf(resolve(this.#workingDir, path))));
    const inputs: Record<string, InputStamp> = {};
    inputPaths.forEach((path, index) => {
      const stamp = stamps[index];
      if (stamp !== undefined) inputs[path] = stamp;
    });
    await this.#writeManifest({ key: this.#key, build: build.slice(this.#dir.length + 1), inputs });
    await this.#prune(build);
  }

  async #writeManifest(manifest: Manifest): Promise<void> {
    const temporary = join(this.#dir, `manifest-${randomBytes(4).toString("hex")}.json`);
    await writeFile(temporary, JSON.stringify(manifest));
    // Atomic: a concurrent reader sees the old manifest or the new one, never half of one.
    await rename(temporary, join(this.#dir, "manifest.json"));
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
