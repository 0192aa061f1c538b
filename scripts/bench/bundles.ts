import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { FUNCTION_BUILD_OPTIONS, REPO_ROOT, routes } from "#api-contract";
import { FunctionBundles } from "#dev-server";

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

async function measured(name: string, file: string): Promise<BuiltBundle> {
  const code = await readFile(file);
  return { name, file, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

/**
 * Both functions as the dev server and CDK build them (the same options object), and the floor
 * bundle with those options.
 */
export async function buildBundles(
  outDir: string,
): Promise<{ functions: BuiltBundle[]; floor: BuiltBundle }> {
  const bundles = await FunctionBundles.build({ repoRoot: REPO_ROOT, entries: routes, outDir });
  const floorFile = join(outDir, "floor", "index.mjs");
  await build({
    ...FUNCTION_BUILD_OPTIONS,
    entryPoints: [join(REPO_ROOT, "scripts", "bench", "floor-entry.ts")],
    outfile: floorFile,
    logLevel: "silent",
  });
  const functions = await Promise.all(
    routes.map((route) => measured(route.name, bundles.moduleFile(route.name))),
  );
  await bundles.dispose();
  return { functions, floor: await measured("floor", floorFile) };
}
