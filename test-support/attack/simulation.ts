import type { CountryCode } from "libphonenumber-js/mobile";
import { type Answer, LoopbackClients, loopbackAddress, SmsFeed } from "./http.ts";
import { numbersInCountry, numbersInRange, seededRandom } from "./numbers.ts";

/**
 * An SMS-pumping attack with real users in the middle of it, against a running dev server over
 * real HTTP: attack generates from many loopback addresses to numbers nobody will verify, and
 * people who generate once and validate the code from their SMS.
 */

export interface Scenario {
  readonly name: string;
  /** People: each generates once and validates the code from the SMS. */
  readonly people: ReadonlyArray<{ readonly country: CountryCode; readonly count: number }>;
  readonly attack: {
    readonly requests: number;
    readonly sources: number;
    readonly numbers: number;
    /** Where the numbers are: a few ranges, or anywhere in one country. */
    readonly target:
      | { readonly ranges: ReadonlyArray<{ readonly country: CountryCode; readonly range: string }> }
      | { readonly country: CountryCode };
  };
}

const FIVE_COUNTRIES: Scenario["people"] = [
  { country: "US", count: 40 },
  { country: "GB", count: 40 },
  { country: "ES", count: 40 },
  { country: "FR", count: 40 },
  { country: "DE", count: 40 },
];

/** The attack the issue describes: three ranges in countries real people use too. */
export const RANGE_ATTACK: Scenario = {
  name: "three ranges",
  people: FIVE_COUNTRIES,
  attack: {
    requests: 5000,
    sources: 1000,
    numbers: 2000,
    target: {
      ranges: [
        { country: "GB", range: "+44740012" },
        { country: "ES", range: "+34612345" },
        { country: "US", range: "+1415555" },
      ],
    },
  },
};

/** The same attack spread over one whole country. */
export const COUNTRY_ATTACK: Scenario = {
  name: "one whole country",
  people: FIVE_COUNTRIES,
  attack: { requests: 5000, sources: 1000, numbers: 2000, target: { country: "GB" } },
};

export interface Person {
  readonly phone: string;
  readonly country: CountryCode;
  /** `verified`, or where it stopped: `generate 429 rate_limited country_hourly_limit`. */
  readonly outcome: string;
}

export interface AttackReport {
  readonly scenario: string;
  readonly durationMs: number;
  /** Whether every request ran before the deadline. */
  readonly complete: boolean;
  readonly attackRequests: number;
  /** Attack answers by status, code and reason. */
  readonly attackAnswers: Readonly<Record<string, number>>;
  /** SMS captured for attack numbers: what the operator would have paid for. */
  readonly smsToAttackNumbers: number;
  readonly people: readonly Person[];
}

export interface SimulationOptions {
  readonly seed?: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** No request starts after this; the report says so. */
  readonly deadlineMs?: number;
}

function describe(step: string, answer: Answer): string {
  const error = answer.body.error;
  return `${step} ${answer.status}${error?.code ? ` ${error.code}` : ""}${error?.reason ? ` ${error.reason}` : ""}`;
}

function attackNumbers(scenario: Scenario, random: () => number, avoid: readonly string[]): string[] {
  const { target, numbers } = scenario.attack;
  if ("country" in target) return numbersInCountry(target.country, numbers, random);
  const perRange = Math.ceil(numbers / target.ranges.length);
  return target.ranges
    .flatMap(({ country, range }) => numbersInRange(country, range, perRange, random))
    .filter((phone) => !avoid.includes(phone));
}

type Task =
  | { readonly kind: "attack"; readonly phone: string; readonly source: string }
  | {
      readonly kind: "person";
      readonly phone: string;
      readonly country: CountryCode;
      readonly source: string;
    };

/** Runs a scenario against the dev server at `baseUrl` (which must listen on 127.0.0.1). */
export async function runScenario(
  baseUrl: string,
  scenario: Scenario,
  options: SimulationOptions = {},
): Promise<AttackReport> {
  const random = seededRandom(options.seed ?? 20261128);
  const ranges = "ranges" in scenario.attack.target ? scenario.attack.target.ranges.map((r) => r.range) : [];
  const people = scenario.people.flatMap(({ country, count }) =>
    numbersInCountry(country, count, random, ranges).map((phone) => ({ phone, country })),
  );
  const targets = attackNumbers(
    scenario,
    random,
    people.map((person) => person.phone),
  );
  const tasks: Task[] = [
    ...Array.from({ length: scenario.attack.requests }, (_, i) => ({
      kind: "attack" as const,
      phone: targets[Math.floor(random() * targets.length)] ?? "",
      source: loopbackAddress(1, i % scenario.attack.sources),
    })),
    ...people.map((person, i) => ({ kind: "person" as const, ...person, source: loopbackAddress(2, i) })),
  ];
  // Fisher-Yates with the seeded generator: people arrive all through the attack.
  for (let i = tasks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tasks[i], tasks[j]] = [tasks[j] as Task, tasks[i] as Task];
  }

  const clients = new LoopbackClients(baseUrl);
  const feed = await SmsFeed.open(baseUrl);
  const attackAnswers: Record<string, number> = {};
  const outcomes: Person[] = [];
  const started = performance.now();
  const deadline = started + (options.deadlineMs ?? 120_000);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && performance.now() < deadline) {
      const task = tasks[next++] as Task;
      if (task.kind === "attack") {
        const answer = await clients
          .post("/generate", { phone: task.phone }, task.source, 30_000)
          .catch((error: Error) => ({ status: 0, body: { error: { code: error.message } } }));
        const key = describe("generate", answer);
        attackAnswers[key] = (attackAnswers[key] ?? 0) + 1;
        continue;
      }
      outcomes.push({
        phone: task.phone,
        country: task.country,
        outcome: await personFlow(task, clients, feed),
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 24 }, worker));
  } finally {
    clients.close();
  }
  // SMS still in the outbox reach the feed within a poll or two.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  feed.close();
  const attackSet = new Set(targets);
  let smsToAttackNumbers = 0;
  for (const [phone, messages] of feed.byPhone)
    if (attackSet.has(phone)) smsToAttackNumbers += messages.length;
  return {
    scenario: scenario.name,
    durationMs: Math.round(performance.now() - started),
    complete: next >= tasks.length,
    attackRequests: Object.values(attackAnswers).reduce((sum, count) => sum + count, 0),
    attackAnswers,
    smsToAttackNumbers,
    people: outcomes,
  };
}

async function personFlow(
  task: Extract<Task, { kind: "person" }>,
  clients: LoopbackClients,
  feed: SmsFeed,
): Promise<string> {
  const generated = await clients.post("/generate", { phone: task.phone }, task.source, 30_000);
  if (generated.status !== 202) return describe("generate", generated);
  const sms = await feed.next(task.phone, 15_000).catch(() => undefined);
  const code = sms === undefined ? undefined : /\b(\d{4,10})\b/.exec(sms)?.[1];
  if (code === undefined) return "no SMS arrived";
  const validated = await clients.post("/validate", { phone: task.phone, code }, task.source, 30_000);
  return validated.status === 200 ? "verified" : describe("validate", validated);
}
