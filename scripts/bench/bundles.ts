import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build } from "esbuild";
import { FUNCTION_BUILD_OPTIONS, REPO_ROOT, routes } from "#api-contract";
import { FunctionBundles } from "#dev-server";
import { type StandIn, standInPlugin } from "./stand-ins.ts";

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

async function buildFloor(outfile: string, options: BuildOptions): Promise<BuiltBundle> {
  await build({
    ...options,
    entryPoints: [join(REPO_ROOT, "scripts", "bench", "floor-entry.ts")],
    outfile,
    logLevel: "silent",
  });
  return measured("floor", outfile);
}

/**
 * Both functions as the dev server and CDK build them (the same options object); the floor bundle
 * with those options; and the floor with the SDK's default credential chain (the functions' options
 * but their credential alias), which shows what that alias saves every cold start.
 */
export async function buildBundles(
  outDir: string,
): Promise<{ functions: BuiltBundle[]; floor: BuiltBundle; floorDefaultCredentials: BuiltBundle }> {
  const bundles = await FunctionBundles.build({ repoRoot: REPO_ROOT, entries: routes, outDir });
  const { alias: _credentialAlias, ...withoutAlias } = FUNCTION_BUILD_OPTIONS;
  const floor = await buildFloor(join(outDir, "floor", "index.mjs"), FUNCTION_BUILD_OPTIONS);
  const floorDefaultCredentials = await buildFloor(
    join(outDir, "floor-default-credentials", "index.mjs"),
    withoutAlias,
  );
  const functions = await Promise.all(
    routes.map((route) => measured(route.name, bundles.moduleFile(route.name))),
  );
  await bundles.dispose();
  return { functions, floor, floorDefaultCredentials };
}

/**
 * A function bundle with some of its libraries swapped for inert stand-ins (stand-ins.ts), built
 * with the functions' own options: what the function's init costs without those parts.
 */
export async function buildWithStandIns(
  outfile: string,
  routeName: string,
  standIns: readonly StandIn[],
): Promise<BuiltBundle> {
  const route = routes.find((candidate) => candidate.name === routeName);
  if (!route) throw new Error(`no route named ${routeName}`);
  await build({
    ...FUNCTION_BUILD_OPTIONS,
    entryPoints: [join(REPO_ROOT, route.entry)],
    outfile,
    plugins: [standInPlugin(standIns)],
    logLevel: "silent",
  });
  return measured(routeName, outfile);
}
