import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type LocalStackEnvironment, localStackEnvironment } from "../lib/localstack-environment.ts";

// `node bin/cdklocal.ts <cdk arguments>`: cdklocal against LocalStack only (see localstack-environment.ts).
let local: LocalStackEnvironment;
try {
  local = localStackEnvironment(process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
for (const note of local.notes) console.error(note);
console.error(`cdklocal: LocalStack at ${local.endpoint}`);

const cdklocal = join(
  dirname(createRequire(import.meta.url).resolve("aws-cdk-local/package.json")),
  "bin",
  "cdklocal",
);
const result = spawnSync(process.execPath, [cdklocal, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: local.env,
});
process.exit(result.status ?? 1);
