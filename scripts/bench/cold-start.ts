import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { median, medianInterval } from "./report.ts";

const run = promisify(execFile);

export interface InitSample {
  readonly ms: number;
  readonly rssBytes: number;
}

/** The environment Lambda gives a function, with the secret given directly (no network at init). */
export const LAMBDA_LIKE_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDBENCH",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_SESSION_TOKEN: "bench",
  TABLE_NAME: "bench-otp",
  OTP_TOKEN_SECRET: "bench-secret-bench-secret-bench-secret-0123",
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

/** A bundle to start, with variables to add to the Lambda-like environment (NODE_OPTIONS, say). */
export interface InitTarget {
  readonly file: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** One cold start: a fresh Node process importing the bundle (the init phase), timed inside. */
async function initOnce(target: InitTarget): Promise<InitSample> {
  const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(target.file).href)});
    console.log(JSON.stringify({ ms: performance.now() - t, rssBytes: process.memoryUsage().rss }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
    env: { PATH: process.env.PATH ?? "", ...LAMBDA_LIKE_ENV, ...target.env },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as InitSample;
}

export interface InitComparison {
  /** Median over pairs of (bundle init / floor init), each pair measured back to back. */
  readonly medianRatio: number;
  /** A 95% confidence interval of that median (report.ts, medianInterval). */
  readonly ratioInterval: readonly [number, number];
  readonly bundleMs: number;
  readonly floorMs: number;
  readonly bundleRssBytes: number;
  readonly floorRssBytes: number;
}

/**
 * Cold starts of a bundle and of the floor, alternated (floor first in even pairs, last in odd
 * ones) so that a busy moment of the machine hits both alike.
 */
export async function compareInit(
  bundleTarget: InitTarget,
  floorTarget: InitTarget,
  pairs: number,
): Promise<InitComparison> {
  const ratios: number[] = [];
  const bundle: InitSample[] = [];
  const floor: InitSample[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [floorTarget, bundleTarget] : [bundleTarget, floorTarget];
    const samples = [];
    for (const target of order) samples.push(await initOnce(target));
    const [first, second] = samples as [InitSample, InitSample];
    const [floorSample, bundleSample] = i % 2 === 0 ? [first, second] : [second, first];
    floor.push(floorSample);
    bundle.push(bundleSample);
    ratios.push(bundleSample.ms / floorSample.ms);
  }
  return {
    medianRatio: median(ratios),
    ratioInterval: medianInterval(ratios),
    bundleMs: median(bundle.map((sample) => sample.ms)),
    floorMs: median(floor.map((sample) => sample.ms)),
    bundleRssBytes: median(bundle.map((sample) => sample.rssBytes)),
    floorRssBytes: median(floor.map((sample) => sample.rssBytes)),
  };
}
