import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";

/**
 * The rules of docs/architecture.md, checked: folders reach each other only through the entry
 * points package.json declares, and the dev server never loads the CDK.
 */

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  imports: Record<string, string>;
};

const sources = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
  cwd: REPO_ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file !== "" && existsSync(join(REPO_ROOT, file)));

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

function specifiersOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(SPECIFIER)].map((match) => match[1] ?? "");
}

function topFolder(path: string): string {
  return path.split("/")[0] ?? "";
}

function declared(specifier: string): boolean {
  return Object.keys(packageJson.imports).some((key) =>
    key.endsWith("/*") ? specifier.startsWith(key.slice(0, -1)) : specifier === key,
  );
}

describe("the repository layout", () => {
  it("finds the sources it checks", () => {
    expect(sources.length).toBeGreaterThan(100);
  });

  it("has no relative import that leaves its top-level folder", () => {
    const crossings: string[] = [];
    for (const file of sources) {
      for (const specifier of specifiersOf(file)) {
        if (!specifier.startsWith(".")) continue;
        const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier));
        if (topFolder(target) !== topFolder(file)) crossings.push(`${file} -> ${specifier}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it("uses only the entry points package.json declares", () => {
    const undeclared = sources.flatMap((file) =>
      specifiersOf(file)
        .filter((specifier) => specifier.startsWith("#") && !declared(specifier))
        .map((specifier) => `${file} -> ${specifier}`),
    );
    expect(undeclared).toEqual([]);
  });

  it("points every entry point at a file that exists", () => {
    for (const [name, target] of Object.entries(packageJson.imports)) {
      if (name.endsWith("/*")) expect(existsSync(join(REPO_ROOT, dirname(target)))).toBe(true);
      else expect(existsSync(join(REPO_ROOT, target)), name).toBe(true);
    }
  });

  it("keeps aws-cdk-lib and infra out of everything `npm start` loads", () => {
    const offenders = sources
      .filter(
        (file) =>
          /^(dev-server|local-aws|api-contract|functions)\/src\//.test(file) ||
          file === "api-contract/index.ts",
      )
      .flatMap((file) =>
        specifiersOf(file)
          .filter((specifier) => specifier.startsWith("aws-cdk-lib") || specifier.includes("infra/"))
          .map((specifier) => `${file} -> ${specifier}`),
      );
    expect(offenders).toEqual([]);
  });

  it("gives each top-level folder a README saying what it owns", () => {
    const folders = new Set(sources.map(topFolder).filter((folder) => !folder.endsWith(".ts")));
    const missing = [...folders].filter((folder) => !existsSync(join(REPO_ROOT, folder, "README.md")));
    expect(missing).toEqual([]);
  });
});
