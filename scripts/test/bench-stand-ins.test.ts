import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWithStandIns } from "../bench/bundles.ts";
import { LAMBDA_LIKE_ENV } from "../bench/cold-start.ts";
import { STAND_INS } from "../bench/stand-ins.ts";

const run = promisify(execFile);

// The bench's "stubbed" rows are only meaningful if each stand-in really removes its library and
// the function still completes its init without it.
describe("the bench's stand-ins", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-stand-ins-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["generate", "validate"] as const)(
    "leave %s without the replaced libraries, and it still inits",
    async (name) => {
      const built = await buildWithStandIns(join(dir, name, "index.mjs"), name, STAND_INS);
      const code = await readFile(built.file, "utf8");
      // Markers of each library's own code, absent from its stand-in.
      expect(code).not.toContain("POWERTOOLS_LOG_LEVEL");
      expect(code).not.toContain("POWERTOOLS_METRICS_NAMESPACE");
      expect(code).not.toContain("secretsmanager");
      expect(code).not.toContain("country_calling_codes");
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(built.file).href)});
      console.log(typeof m.handler);`;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
        env: { PATH: process.env.PATH ?? "", ...LAMBDA_LIKE_ENV },
      });
      expect(stdout.trim()).toBe("function");
    },
    60_000,
  );

  it("keep those libraries in the real bundle (the markers above would notice them)", async () => {
    const built = await buildWithStandIns(join(dir, "real", "index.mjs"), "generate", []);
    const code = await readFile(built.file, "utf8");
    for (const marker of [
      "POWERTOOLS_LOG_LEVEL",
      "POWERTOOLS_METRICS_NAMESPACE",
      "secretsmanager",
      "country_calling_codes",
    ]) {
      expect(code).toContain(marker);
    }
  }, 60_000);
});
