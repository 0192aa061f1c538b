import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BundleCache } from "../src/lambda/bundle-cache.ts";

let root: string;
let cacheDir: string;
const KEY = ["options", { entry: "a.ts" }];

async function source(name: string, content: string): Promise<void> {
  await writeFile(join(root, name), content);
}

/** A cache with one committed build of `a.ts` and `b.ts`, as FunctionBundles makes it. */
async function committed(key: unknown = KEY): Promise<{ cache: BundleCache; build: string }> {
  const cache = new BundleCache(cacheDir, key, root);
  const build = await cache.newBuildDir();
  await writeFile(join(build, "index.mjs"), "export {}");
  await cache.commit(build, ["a.ts", "b.ts"]);
  return { cache, build };
}

async function manifestStamp(path: string): Promise<{ size: number; mtimeMs: number; hash: string }> {
  const manifest = JSON.parse(await readFile(join(cacheDir, "manifest.json"), "utf8"));
  return manifest.inputs[path];
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bundle-cache-"));
  cacheDir = join(root, "cache");
  await source("a.ts", "export const a = 1;\n");
  await source("b.ts", "export const b = 2;\n");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("BundleCache", () => {
  it("finds the build again while its inputs are unchanged", async () => {
    const { build } = await committed();
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBe(build);
  });

  it("misses when the key differs (other build options)", async () => {
    await committed();
    expect(await new BundleCache(cacheDir, ["other options"], root).lookup()).toBeUndefined();
  });

  it("misses when an input's content changed, even at the same size", async () => {
    await committed();
    await source("a.ts", "export const a = 7;\n");
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBeUndefined();
  });

  it("misses when an input's size changed, or it is gone", async () => {
    await committed();
    await source("b.ts", "export const b = 22;\n");
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBeUndefined();
    await source("b.ts", "export const b = 2;\n");
    await rm(join(root, "a.ts"));
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBeUndefined();
  });

  it("hits when an input was only touched, and records its new time so it is not hashed again", async () => {
    const { build } = await committed();
    const before = await manifestStamp("a.ts");
    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, "a.ts"), later, later);
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBe(build);
    const after = await manifestStamp("a.ts");
    expect(after.hash).toBe(before.hash);
    expect(after.mtimeMs).toBe((await stat(join(root, "a.ts"))).mtimeMs);
    expect(after.mtimeMs).not.toBe(before.mtimeMs);
  });

  it("misses when the build directory is gone", async () => {
    const { build } = await committed();
    await rm(build, { recursive: true, force: true });
    expect(await new BundleCache(cacheDir, KEY, root).lookup()).toBeUndefined();
  });
});
