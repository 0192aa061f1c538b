/**
 * `npm run bench`: measures what the tests deliberately do not time (these machines are noisy).
 *
 * - bundle: size of each function's deployed artefact (the same esbuild options CDK uses);
 * - cold start: a fresh Node process importing the bundle (config, clients, secret), and its RSS;
 * - warm latency: handler time per generate and validate against the embedded AWS stack;
 * - throughput: generates per second with 16 requests in flight;
 * - memory: heap growth across the warm runs (a leak shows as steady growth).
 *
 * Numbers from the embedded stack bound the service's own overhead; in AWS, DynamoDB and SNS
 * round trips (single-digit milliseconds each) come on top.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Logger } from "@aws-lambda-powertools/logger";
import { routes } from "#api-contract";
import { FunctionBundles } from "#dev-server";
import { loadConfig } from "#functions/config";
import { createAwsClients, createHandlers } from "#functions/runtime";
import { startEmbeddedAws } from "#local-aws/emulator";
import { provisionLocalResources, SmsOutbox } from "#local-aws/resources";
import { generateEvent, validateEvent } from "#test-support/api-gateway-event";

const REPO_ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);

/** What we hold ourselves to; the script reports each as met or missed. */
const TARGETS = {
  bundleKiB: 1024,
  coldStartMs: 400,
  coldStartRssMiB: 128,
  generateP95Ms: 25,
  validateP95Ms: 25,
  heapGrowthMiB: 32,
} as const;

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

const rows: Array<[string, string, string, string]> = [];
function report(name: string, value: number, unit: string, target?: number): void {
  const verdict = target === undefined ? "" : value <= target ? `<= ${target} met` : `<= ${target} MISSED`;
  rows.push([name, value.toFixed(1), unit, verdict]);
}

const aws = await startEmbeddedAws({ port: 0 });
const tmp = await mkdtemp(join(tmpdir(), "sms-otp-bench-"));
try {
  const resources = await provisionLocalResources({ endpoint: aws.endpoint, names: { table: "bench-otp" } });
  const env = {
    STAGE: "local",
    TABLE_NAME: resources.tableName,
    SMS_CAPTURE_TOPIC_ARN: resources.topicArn,
    AWS_ENDPOINT_URL: aws.endpoint,
    OTP_TOKEN_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    OTP_MAX_SENDS_PER_IP_PER_HOUR: "100000",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };

  // Bundles and cold starts.
  const bundles = await FunctionBundles.build({
    repoRoot: REPO_ROOT,
    entries: routes,
    outDir: join(tmp, "bundles"),
  });
  for (const route of routes) {
    const file = bundles.moduleFile(route.name);
    const code = await readFile(file);
    report(`${route.name}: bundle`, code.byteLength / 1024, "KiB", TARGETS.bundleKiB);
    report(`${route.name}: bundle gzip`, gzipSync(code).byteLength / 1024, "KiB");
    const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)});
      console.log(JSON.stringify({ ms: performance.now() - t, rss: process.memoryUsage().rss }));`;
    const starts: Array<{ ms: number; rss: number }> = [];
    for (let i = 0; i < 7; i++) {
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
        env: { ...process.env, ...env },
      });
      starts.push(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number; rss: number });
    }
    report(
      `${route.name}: cold start (median of 7)`,
      median(starts.map((s) => s.ms)),
      "ms",
      TARGETS.coldStartMs,
    );
    report(
      `${route.name}: RSS after init`,
      median(starts.map((s) => s.rss)) / 1024 / 1024,
      "MiB",
      TARGETS.coldStartRssMiB,
    );
  }
  await bundles.dispose();

  // Warm handlers in this process.
  const config = loadConfig(env);
  const handlers = await createHandlers(config, {
    clients: createAwsClients(config.aws),
    logger: new Logger({ logLevel: "SILENT" }),
  });
  const outbox = new SmsOutbox({ endpoint: aws.endpoint, queueUrl: resources.queueUrl });
  const phones = Array.from({ length: 600 }, (_, i) => `+1415555${String(2000 + i).padStart(4, "0")}`);
  const timed = async <T>(samples: number[], work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    samples.push(performance.now() - started);
    return result;
  };

  const warmup = phones.slice(0, 20);
  for (const phone of warmup) await handlers.generate(generateEvent(phone));
  await outbox.drain();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;

  const generateMs: number[] = [];
  const validateMs: number[] = [];
  for (const phone of phones.slice(20, 220)) {
    const generated = await timed(generateMs, () => handlers.generate(generateEvent(phone)));
    if (generated.statusCode !== 202)
      throw new Error(`generate answered ${generated.statusCode}: ${generated.body}`);
    const sms = await outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 });
    const code = sms.message.slice(0, config.otp.length);
    const validated = await timed(validateMs, () => handlers.validate(validateEvent(phone, code)));
    if (validated.statusCode !== 200)
      throw new Error(`validate answered ${validated.statusCode}: ${validated.body}`);
  }
  report("generate: p50 (200 sequential)", percentile(generateMs, 50), "ms");
  report("generate: p95", percentile(generateMs, 95), "ms", TARGETS.generateP95Ms);
  report("validate: p50 (200 sequential)", percentile(validateMs, 50), "ms");
  report("validate: p95", percentile(validateMs, 95), "ms", TARGETS.validateP95Ms);

  const concurrentPhones = phones.slice(220, 600);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < concurrentPhones.length) {
        const phone = concurrentPhones[next++] ?? "";
        const result = await handlers.generate(generateEvent(phone));
        if (result.statusCode !== 202) throw new Error(`generate answered ${result.statusCode}`);
      }
    }),
  );
  rows.push([
    "generate: throughput (16 in flight)",
    (concurrentPhones.length / ((performance.now() - started) / 1000)).toFixed(1),
    "req/s",
    "",
  ]);
  await outbox.drain();
  outbox.close();
  global.gc?.();
  report(
    "heap growth over 580 flows",
    (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024,
    "MiB",
    TARGETS.heapGrowthMiB,
  );
} finally {
  await aws.stop();
  await rm(tmp, { recursive: true, force: true });
}

const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
console.log(`\nsms-otp benchmark — Node ${process.version}, embedded AWS stack\n`);
for (const row of rows) {
  console.log(
    row
      .map((cell, column) =>
        column === 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join("  "),
  );
}
const missed = rows.filter((row) => row[3].includes("MISSED")).length;
console.log(missed === 0 ? "\nall targets met" : `\n${missed} target(s) missed`);
