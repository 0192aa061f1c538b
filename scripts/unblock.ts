/**
 * `npm run unblock -- <range or country>...`: lifts a block of the SMS-pumping defence by hand.
 *
 *   npm run unblock -- +44740012          a range, as the `otp.scope_blocked` log line names it
 *   npm run unblock -- GB                 a country
 *
 * Where: the table is `--table`, else TABLE_NAME, else the `TableName` output of a deployed stack
 * (infra/cdk.out/prod-outputs.json or local-outputs.json), else `sms-otp-local` (the dev server's).
 * The endpoint is AWS_ENDPOINT_URL when set (the embedded emulator of `npm start`, LocalStack),
 * else AWS with your usual credentials and AWS_REGION.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "#api-contract";
import { liftBlock, parseScope } from "#functions/admin";

function tableFromStackOutputs(): string | undefined {
  for (const file of ["prod-outputs.json", "local-outputs.json"]) {
    const path = join(REPO_ROOT, "infra", "cdk.out", file);
    if (!existsSync(path)) continue;
    const outputs = JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, string>>;
    const table = Object.values(outputs).find((stack) => stack.TableName)?.TableName;
    if (table) return table;
  }
  return undefined;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { table: { type: "string" }, region: { type: "string" } },
});
if (positionals.length === 0) {
  console.error("usage: npm run unblock -- <range such as +44740012 | country such as GB>... [--table NAME]");
  process.exit(2);
}
const endpointUrl = process.env.AWS_ENDPOINT_URL?.trim() || undefined;
const tableName =
  values.table ?? (process.env.TABLE_NAME?.trim() || tableFromStackOutputs() || "sms-otp-local");
const region = values.region ?? (process.env.AWS_REGION?.trim() || "us-east-1");

let failed = false;
for (const text of positionals) {
  try {
    const scope = parseScope(text);
    await liftBlock({ tableName, region, endpointUrl }, scope);
    console.log(
      `unblocked the ${scope.kind} ${scope.key} in ${tableName} (${endpointUrl ?? `AWS ${region}`})`,
    );
  } catch (error) {
    failed = true;
    console.error(`${text}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
