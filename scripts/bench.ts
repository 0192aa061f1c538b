/**
 * `npm run bench`: what the tests deliberately never time (these machines are noisy), each as a
 * ratio to a floor measured in the same run where a goal is set:
 *
 * - bundle size of each function (the build CDK deploys), KiB and gzip;
 * - module init (cold start) of each function against a floor bundle that only constructs the
 *   DynamoDB and SNS clients (built with the functions' own options), as the median ratio of
 *   alternated fresh processes, and RSS beside it; and what the floor would cost with the SDK's
 *   default credential chain, which the functions' bundles replace by the environment provider;
 * - what NODE_OPTIONS=--enable-source-maps would add to that init (the deployed functions run
 *   without it);
 * - the same init with the logger, the metrics, the Secrets Manager client and libphonenumber each,
 *   then all together, swapped for inert stand-ins (bench/stand-ins.ts): what each part costs, and
 *   what the function's own code costs without them;
 * - `npm start` from the command to `GET /health` 200, median of several runs, and as a ratio to a
 *   bare `node -e 0` start;
 * - warm latency, throughput and heap growth of the handlers against the embedded AWS stack.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedAws } from "#local-aws/emulator";
import { provisionLocalResources } from "#local-aws/resources";
import { buildBundles, buildWithStandIns } from "./bench/bundles.ts";
import { compareInit, type InitComparison } from "./bench/cold-start.ts";
import { measureNpmStart } from "./bench/npm-start.ts";
import { percentile, Report } from "./bench/report.ts";
import { STAND_INS } from "./bench/stand-ins.ts";
import { measureWarm } from "./bench/warm.ts";

/** The goals (issue: lean functions and a 1.5-second `npm start`). */
const GOALS = { bundleKiB: 450, initRatio: 1.15, npmStartMs: 1500, heapGrowthRatio: 0.25 } as const;
const INIT_PAIRS = 15;
const START_RUNS = 5;
const KiB = 1024;
const MiB = 1024 * 1024;

const report = new Report();
/** The confidence interval of a median init ratio, for the unit column. */
const interval = ({ ratioInterval: [low, high] }: InitComparison) =>
  `95% CI ${low.toFixed(2)}–${high.toFixed(2)}`;
const tmp = await mkdtemp(join(tmpdir(), "sms-otp-bench-"));
try {
  const { functions, floor, floorDefaultCredentials } = await buildBundles(join(tmp, "bundles"));
  report.add("floor bundle (DynamoDB + SNS clients)", floor.bytes / KiB, "KiB");
  report.add("floor bundle, SDK default credential chain", floorDefaultCredentials.bytes / KiB, "KiB");
  const chain = await compareInit(floorDefaultCredentials, floor, INIT_PAIRS);
  report.add(
    "floor init, SDK default credential chain / floor init",
    chain.medianRatio,
    `× (${interval(chain)}; ${chain.bundleMs.toFixed(1)} ms)`,
    undefined,
    2,
  );
  for (const bundle of functions) {
    report.add(`${bundle.name}: bundle`, bundle.bytes / KiB, "KiB", GOALS.bundleKiB);
    report.add(`${bundle.name}: bundle gzip`, bundle.gzipBytes / KiB, "KiB");
  }
  for (const bundle of functions) {
    const init = await compareInit(bundle, floor, INIT_PAIRS);
    report.add(
      `${bundle.name}: init / floor init (median of ${INIT_PAIRS} pairs)`,
      init.medianRatio,
      `× (${interval(init)})`,
      GOALS.initRatio,
      2,
    );
    report.add(
      `${bundle.name}: init, floor init (medians)`,
      init.bundleMs,
      `ms (floor ${init.floorMs.toFixed(1)} ms)`,
    );
    report.add(
      `${bundle.name}: RSS after init`,
      init.bundleRssBytes / MiB,
      `MiB (floor ${(init.floorRssBytes / MiB).toFixed(1)} MiB)`,
    );
  }

  // What the deployed functions save by not running with NODE_OPTIONS=--enable-source-maps.
  for (const bundle of functions) {
    const sourceMaps = await compareInit(
      { file: bundle.file, env: { NODE_OPTIONS: "--enable-source-maps" } },
      bundle,
      INIT_PAIRS,
    );
    report.add(
      `${bundle.name}: init with --enable-source-maps / without`,
      sourceMaps.medianRatio,
      `× (${interval(sourceMaps)}; +${(sourceMaps.bundleMs - sourceMaps.floorMs).toFixed(1)} ms)`,
      undefined,
      2,
    );
  }

  // What each library costs at init, and what is left without any of them: the function's own
  // code (configuration, domain, store, keys) against the floor.
  for (const bundle of functions) {
    const variants = [
      ...STAND_INS.map((standIn) => ({ label: standIn.part, standIns: [standIn] })),
      { label: `all ${STAND_INS.length} of those`, standIns: STAND_INS },
    ];
    for (const [index, variant] of variants.entries()) {
      const built = await buildWithStandIns(
        join(tmp, "stand-ins", `${bundle.name}-${index}`, "index.mjs"),
        bundle.name,
        variant.standIns,
      );
      const init = await compareInit(built, floor, INIT_PAIRS);
      report.add(
        `${bundle.name}, ${variant.label} stubbed: init / floor init`,
        init.medianRatio,
        `× (${interval(init)}; ${(built.bytes / KiB).toFixed(0)} KiB)`,
        undefined,
        2,
      );
    }
  }

  const start = await measureNpmStart(START_RUNS);
  report.add(`npm start to /health 200 (median of ${START_RUNS})`, start.medianMs, "ms", GOALS.npmStartMs, 0);
  report.add("npm start, first of those runs", start.runsMs[0] ?? Number.NaN, "ms", undefined, 0);
  report.add(
    "npm start / bare `node -e 0`",
    start.medianMs / start.bareNodeMs,
    `× (node ${start.bareNodeMs.toFixed(0)} ms)`,
  );

  const aws = await startEmbeddedAws({ port: 0 });
  try {
    const resources = await provisionLocalResources({
      endpoint: aws.endpoint,
      names: { table: "bench-otp" },
    });
    const warm = await measureWarm(aws.endpoint, resources);
    report.add("floor: DynamoDB GetItem p50", warm.floorMs, "ms");
    for (const [name, samples] of [
      ["generate", warm.generateMs],
      ["validate", warm.validateMs],
    ] as const) {
      const p50 = percentile(samples, 50);
      report.add(`${name}: p50 / p95 (200 sequential)`, p50, `ms / ${percentile(samples, 95).toFixed(1)} ms`);
      report.add(`${name}: p50 / floor`, p50 / warm.floorMs, "×");
    }
    report.add("generate: throughput, 16 in flight", warm.generatesPerSecond, "req/s");
    report.add(
      `heap growth over ${warm.flows} flows / heap after warm-up`,
      warm.heapGrowthBytes / warm.heapAfterWarmupBytes,
      `(${(warm.heapGrowthBytes / MiB).toFixed(1)} of ${(warm.heapAfterWarmupBytes / MiB).toFixed(1)} MiB)`,
      GOALS.heapGrowthRatio,
      2,
    );
  } finally {
    await aws.stop();
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

console.log(`\nsms-otp benchmark — Node ${process.version}, ${process.platform}/${process.arch}\n`);
console.log(report.toMarkdown());
console.log(report.missed === 0 ? "\nall goals met" : `\n${report.missed} goal(s) missed`);
process.exitCode = report.missed === 0 ? 0 : 1;
