import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";

/**
 * What a fresh clone installs is exactly what was reviewed (docs/SECURITY.md, "Supply chain"):
 * the lock file pins every package by hash, CI installs it with `npm ci`, and only the packages
 * package.json names in `allowScripts` may run install scripts.
 */

interface LockEntry {
  readonly integrity?: string;
  readonly link?: boolean;
  readonly inBundle?: boolean;
  readonly hasInstallScript?: boolean;
}

const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");
const lock = JSON.parse(read("package-lock.json")) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(read("package.json")) as { allowScripts: Record<string, boolean> };
const installed = Object.entries(lock.packages).filter(([path]) => path !== "");

describe("the supply chain", () => {
  it("pins every installed package by a sha512 hash in a version 3 lock file", () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(installed.length).toBeGreaterThan(100);
    // Bundled dependencies ship inside their parent's tarball, which is pinned itself.
    const unpinned = installed
      .filter(([, entry]) => !entry.link && !entry.inBundle && !entry.integrity?.startsWith("sha512-"))
      .map(([path]) => path);
    expect(unpinned).toEqual([]);
  });

  it("names every package with an install script in allowScripts, and nothing else", () => {
    const withScripts = installed
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
    expect([...new Set(withScripts)].sort()).toEqual(Object.keys(manifest.allowScripts).sort());
  });

  it("installs in CI with npm ci, never npm install", () => {
    const ci = read(".ci/run");
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).not.toMatch(/\bnpm (install|i|add)\b/);
  });
});
