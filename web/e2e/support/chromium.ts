import { existsSync } from "node:fs";
import { describe, it } from "vitest";

/**
 * Where the browser tests look for Chromium. Debian's `chromium` package (installed by `.ci/run`)
 * comes first; `npx playwright install` cannot download browsers on our machines.
 */
export function chromiumCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/google-chrome",
  ].filter((path): path is string => path !== undefined && path !== "");
}

/** The first Chromium executable that exists, or undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return chromiumCandidates(env).find((path) => existsSync(path));
}

/**
 * Flags for a headless Chromium on a machine that refuses outside connections: no sandbox (CI
 * containers run as root), and none of the background traffic Chromium starts on its own.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** CI services set `CI=true` (or `1`); `CI=false` is a developer turning it off. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * `describe` for suites that need Chromium. Without one, the suite is skipped with a printed
 * reason on a laptop, and fails in CI (`CI` set), where a silent skip would hide a broken setup.
 */
export function describeWithChromium(name: string, body: (executablePath: string) => void): void {
  const executablePath = findChromium();
  if (executablePath !== undefined) {
    describe(name, () => body(executablePath));
    return;
  }
  const reason =
    `no Chromium found (looked for ${chromiumCandidates().join(", ")}). ` +
    'Install the Debian package "chromium" (apt-get install chromium) or set CHROMIUM_PATH.';
  if (isCi(process.env)) {
    describe(name, () => {
      it("has a Chromium to run in (required in CI)", () => {
        throw new Error(`Browser tests cannot run in CI: ${reason}`);
      });
    });
    return;
  }
  console.warn(`\n[browser tests skipped] ${name}: ${reason}\n`);
  describe.skip(`${name} [skipped: ${reason}]`, () => {
    it("needs Chromium", () => {});
  });
}
