import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildWebResult, buildWeb, gzipSizes } from "../build.ts";

let outDir = "";
let result: BuildWebResult;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "web-build-"));
  result = await buildWeb({ outDir });
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("buildWeb", () => {
  it("writes exactly the page, its script and its styles (config.json comes from the server or CDK)", () => {
    expect(result.outDir).toBe(outDir);
    expect(Object.keys(result.files)).toEqual(["app.js", "index.html", "styles.css"]);
    expect(result.totalBytes).toBe(Object.values(result.files).reduce((sum, size) => sum + size, 0));
  });

  it("stays small: under 40 KB raw and 15 KB gzip in total", async () => {
    // A budget, not a measurement: libphonenumber metadata alone would add ~29 KB gzip.
    expect(result.totalBytes).toBeLessThan(40_000);
    const gzip = await gzipSizes(outDir, Object.keys(result.files));
    expect(Object.values(gzip).reduce((sum, size) => sum + size, 0)).toBeLessThan(15_000);
  });

  it("links the built assets and carries the contract's labels and input hints", async () => {
    const html = await readFile(join(outDir, "index.html"), "utf8");
    expect(html).toContain('<script src="app.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="styles.css" />');
    expect(html).toMatch(/<label for="phone">Phone number<\/label>/);
    expect(html).toMatch(/<label for="code">Verification code<\/label>/);
    expect(html).toContain('autocomplete="tel"');
    expect(html).toContain('autocomplete="one-time-code"');
    expect(html).toContain('inputmode="numeric"');
    expect(html).toMatch(/role="status" aria-live="polite"/);
    // No inline script or style: the page works under a strict Content-Security-Policy.
    expect(html).not.toMatch(/<script>|<style|style="/);
  });

  it("bundles the TypeScript into one classic script with no imports left", async () => {
    const js = await readFile(join(outDir, "app.js"), "utf8");
    expect(js).not.toMatch(/\bimport\s*[{("']/);
    expect(js).toContain("config.json");
  });
});
