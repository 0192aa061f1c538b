/**
 * `npm run load [-- --seconds 180 --people 24]`: sustained load on `npm start` over loopback HTTP,
 * as people use it: each person, from an address of their own, asks for a code, reads it from
 * the SMS (the dev server's event stream), types a wrong code first one time in ten, then the
 * right one. `--people` verify at a time, each starting the next as soon as they are done, for
 * `--seconds`. Distinct numbers in 8 countries, over many ranges; 4,000 source addresses.
 *
 * Settings of the run (the rest are defaults, the per-source cap included):
 * - the stage throttle raised (API_THROTTLE_RATE_LIMIT=10000): at its default of 50 requests a
 *   second API Gateway would answer most of the load itself;
 * - hourly budgets sized for this traffic, as an operator with it would size them: 50,000 sends
 *   per country and 1,000,000 in all (the defaults, 100 and 500, are a small service's).
 *
 * Goals: no answer ≥ 500, every answer the one the flow expects, and live heap growth (read right
 * after a full collection: npm start runs with --expose-gc) under 10% from the second to the last
 * minute, of the dev server and the functions, and of the functions alone. The embedded emulator
 * runs in a thread of its own and keeps every item, as a database does: its memory is reported
 * apart, and grows with the data (in AWS, that data lives in DynamoDB, in nobody's heap).
 * Throughput and latency are reported as measured.
 */
import { parseArgs } from "node:util";
import type { CountryCode } from "libphonenumber-js/mobile";
import { SmsFeed } from "#test-support/attack/http";
import { numbersInCountry, seededRandom } from "#test-support/attack/numbers";
import { startNpmStart } from "#test-support/npm-start";
import { percentile, Report } from "./bench/report.ts";
import { type Sample, sourceOf, verifyOnePerson } from "./load/people.ts";
import {
  EMULATOR_ISOLATE,
  heapGrowth,
  type MemorySample,
  readServerMemory,
  SERVER_ISOLATE,
  totalHeap,
} from "./load/server-memory.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "180" }, people: { type: "string", default: "24" } },
});
const seconds = Number(values.seconds);
const people = Number(values.people);
if (!(seconds >= 30) || !(people >= 1)) throw new Error("--seconds must be 30 or more, --people 1 or more");

const RUN_ENV = {
  // So that /_dev/stats?gc=1 can collect garbage in every isolate before reading the heap.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc`.trim(),
  API_THROTTLE_RATE_LIMIT: "10000",
  API_THROTTLE_BURST_LIMIT: "5000",
  OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "*=50000",
  OTP_MAX_SENDS_PER_HOUR_TOTAL: "1000000",
};
const COUNTRIES: readonly CountryCode[] = ["US", "GB", "ES", "FR", "DE", "IT", "BR", "IN"];
const NUMBERS_PER_COUNTRY = 6_000;
const SOURCES = 4_000;
/** Each reading is after a full collection in every isolate: six a minute cost the run little. */
const MEMORY_EVERY_MS = 10_000;
const GOAL_HEAP_GROWTH_PERCENT = 10;
const MiB = 1024 * 1024;

const random = seededRandom(20261201);
const phones = COUNTRIES.flatMap((country) => numbersInCountry(country, NUMBERS_PER_COUNTRY, random));
for (let i = phones.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [phones[i], phones[j]] = [phones[j] as string, phones[i] as string];
}

const server = await startNpmStart(RUN_ENV);
const samples: Sample[] = [];
const memory: MemorySample[] = [];
let started = 0;
let verified = 0;
let outOfNumbers = false;
try {
  console.error(`npm start ready at ${server.url}; ${people} people at a time for ${seconds} s…`);
  const feed = await SmsFeed.open(server.url);
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;
  memory.push(await readServerMemory(server.url, 0));
  const sampler = setInterval(() => {
    readServerMemory(server.url, elapsed()).then(
      (sample) => memory.push(sample),
      () => undefined,
    );
  }, MEMORY_EVERY_MS);
  const onePersonAfterAnother = async () => {
    while (elapsed() < seconds) {
      const index = started++;
      const phone = phones[index];
      if (phone === undefined) {
        outOfNumbers = true;
        return;
      }
      const person = { phone, source: sourceOf(index, SOURCES), typesWrongCodeFirst: index % 10 === 9 };
      if (await verifyOnePerson(server.url, feed, person, (sample) => samples.push(sample))) verified++;
    }
  };
  await Promise.all(Array.from({ length: people }, onePersonAfterAnother));
  const ranSeconds = elapsed();
  clearInterval(sampler);
  memory.push(await readServerMemory(server.url, ranSeconds));
  feed.close();

  const report = new Report();
  const byRoute = (route: Sample["route"]) => samples.filter((sample) => sample.route === route);
  report.add("people who asked for a code", started, "", undefined, 0);
  report.add("people not verified", started - verified, "", 0, 0);
  report.add("requests", samples.length, "", undefined, 0);
  report.add("throughput", samples.length / ranSeconds, "requests/s");
  for (const route of ["generate", "validate"] as const) {
    const ms = byRoute(route).map((sample) => sample.ms);
    report.add(`${route}: requests`, ms.length, "", undefined, 0);
    report.add(`${route}: p50`, percentile(ms, 50), "ms");
    report.add(`${route}: p99`, percentile(ms, 99), "ms");
  }
  const byStatus = new Map<number, number>();
  for (const sample of samples)
    if (sample.status < 200 || sample.status > 299)
      byStatus.set(sample.status, (byStatus.get(sample.status) ?? 0) + 1);
  for (const [status, count] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const what = status === 0 ? "no answer" : status === 403 ? `${status} (the wrong codes)` : String(status);
    report.add(`non-2xx: ${what}`, count, "", undefined, 0);
  }
  report.add("answers ≥ 500", samples.filter((sample) => sample.status >= 500).length, "", 0, 0);
  report.add(
    "answers the flow did not expect (or none)",
    samples.filter((sample) => !sample.expected).length,
    "",
    0,
    0,
  );
  const ours = (isolate: string) => isolate !== EMULATOR_ISOLATE;
  const functionsOnly = (isolate: string) => ours(isolate) && isolate !== SERVER_ISOLATE;
  const emulatorOnly = (isolate: string) => isolate === EMULATOR_ISOLATE;
  const [first, last] = [memory[0], memory.at(-1)];
  const atStartAndEnd = (measure: string, bytes: (sample: MemorySample) => number) => {
    if (first && last) {
      report.add(measure, bytes(first) / MiB, `MiB / ${(bytes(last) / MiB).toFixed(1)} MiB`);
    }
  };
  atStartAndEnd("process RSS at start / end", (sample) => sample.rssBytes);
  atStartAndEnd("live heap at start / end: dev server and functions", (sample) => totalHeap(sample, ours));
  atStartAndEnd("live heap at start / end: the emulator", (sample) => totalHeap(sample, emulatorOnly));
  // Where RSS grows: the embedded DynamoDB keeps every item, as Buffers outside the heap.
  atStartAndEnd("the emulator's external memory at start / end", (sample) => sample.emulatorExternalBytes);
  report.add(
    "live heap growth, second to last third: dev server and functions",
    heapGrowth(memory, ranSeconds, ours) * 100,
    "%",
    GOAL_HEAP_GROWTH_PERCENT,
  );
  report.add(
    "the same, the functions alone",
    heapGrowth(memory, ranSeconds, functionsOnly) * 100,
    "%",
    GOAL_HEAP_GROWTH_PERCENT,
  );
  // What an in-memory database does under writes: not a goal, reported to show where memory goes.
  report.add(
    "the same, the emulator (every item stored so far)",
    heapGrowth(memory, ranSeconds, emulatorOnly) * 100,
    "%",
  );
  console.log(
    `\nsms-otp load — ${Math.round(ranSeconds)} s, ${people} people at a time, Node ${process.version}, ${process.platform}/${process.arch}\n`,
  );
  console.log(report.toMarkdown());
  if (outOfNumbers) console.log(`\nthe run used all ${phones.length} numbers and stopped early`);
  console.log(report.missed === 0 ? "\nall goals met" : `\n${report.missed} goal(s) missed`);
  process.exitCode = report.missed === 0 && !outOfNumbers ? 0 : 1;
} finally {
  await server.stop();
}
