import { defineConfig } from "vitest/config";

/**
 * One Vitest config, one project per kind of test. `npm test` runs them all; pick one with
 * `npx vitest run --project unit` (or infra, integration, browser).
 */
export default defineConfig({
  test: {
    // CI also writes a JSON report, from which .ci/run prints the totals.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/vitest.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "api-contract/test/**/*.test.ts",
            "functions/test/**/*.test.ts",
            "dev-server/test/**/*.test.ts",
            "local-aws/test/**/*.test.ts",
            "scripts/test/**/*.test.ts",
            "test-support/test/**/*.test.ts",
            "web/test/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        test: {
          name: "infra",
          include: ["infra/test/**/*.test.ts"],
          environment: "node",
          // Synthesis bundles both functions with esbuild: seconds, not milliseconds.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["integration-tests/**/*.test.ts"],
          environment: "node",
          globalSetup: ["integration-tests/setup/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["web/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: these machines have 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
