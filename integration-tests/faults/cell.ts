import { randomBytes } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { type FaultProxy, type ProxiedCall, startFaultProxy } from "#test-support/fault-proxy";
import { codeFrom, freshPhone, handlersFor, ManualClock } from "../otp/harness.ts";
import type { TestStack } from "../support/stack.ts";
import {
  aftermathOf,
  type CallSite,
  type FaultKind,
  faultOf,
  type Lasting,
  SDK_ATTEMPTS,
} from "./call-sites.ts";
import type { SmsCollector } from "./sms-collector.ts";

/** The defaults the invariants are stated in (functions/src/config/config.ts). */
const MAX_ATTEMPTS = 5;
const COOLDOWN_SECONDS = 30;
const TTL_SECONDS = 300;
/** The function's timeout: every answer, faulted or not, must come before it. */
export const ANSWER_BOUND_MS = 10_000;

export interface CellSpec {
  readonly site: CallSite;
  readonly kind: FaultKind;
  readonly lasting: Lasting;
}

export interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly reason: string | undefined;
  readonly retryAfter: number | undefined;
  readonly ms: number;
}

export interface CellResult {
  readonly spec: CellSpec;
  /** The faulted request's answer. */
  readonly answer: Answer;
  /** The user's moves after the faulted request, until verified. */
  readonly recovery: string;
  /** Counts minus what really happened (sends answered 202, codes answered 200), where they differ. */
  readonly drift: Readonly<Record<string, number>>;
  /** SMS that went out on a publish whose answer was lost, for a request answered with a failure. */
  readonly smsDespiteFailure: number;
  /** Broken invariants; empty when the cell holds. */
  readonly problems: readonly string[];
}

const HOUR_MS = 3_600_000;
/** 5 minutes into an hour: moving past the cooldown and the TTL never crosses a rate window. */
const START_TIME = (Math.floor(Date.now() / HOUR_MS) + 1) * HOUR_MS + 5 * 60_000;
const SOURCE_IP = "192.0.2.44";

function wrongCode(code: string): string {
  return code === "000000" ? "111111" : "000000";
}

function describe(seen: Answer): string {
  return [seen.status, seen.code, seen.reason].filter((part) => part !== undefined).join(" ");
}

/**
 * Runs one cell of the matrix on a table of its own (so every counter it reads is its own):
 * reach the call, fail it, let the fault heal, then check the invariants.
 */
export async function runCell(stack: TestStack, sms: SmsCollector, spec: CellSpec): Promise<CellResult> {
  const table = `fault-cell-${randomBytes(6).toString("hex")}`;
  await stack.dynamo.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const proxy = await startFaultProxy(stack.endpoint);
  try {
    const clock = new ManualClock(START_TIME);
    const handlers = await handlersFor(
      stack,
      { AWS_ENDPOINT_URL: proxy.endpoint, TABLE_NAME: table },
      { clock },
    );
    return await new Cell(spec, handlers, clock, sms).run(proxy, (pk) => itemOf(stack, table, pk));
  } finally {
    await proxy.close();
    await stack.dynamo.send(new DeleteTableCommand({ TableName: table }));
  }
}

async function itemOf(stack: TestStack, table: string, pk: string): Promise<Record<string, unknown>> {
  const result = await stack.dynamo.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return result.Item ? unmarshall(result.Item) : {};
}

type Handlers = Awaited<ReturnType<typeof handlersFor>>;

/** One cell's user: a fresh number, what it was told, what it received. */
class Cell {
  readonly #spec: CellSpec;
  readonly #handlers: Handlers;
  readonly #clock: ManualClock;
  readonly #sms: SmsCollector;
  readonly #phone = freshPhone();
  readonly #problems: string[] = [];
  readonly #moves: string[] = [];
  #sent = 0;
  #verified = 0;
  /** Codes compared by validate (answered 200 or 403) over the whole cell. */
  #evaluations = 0;
  /** SMS the proxy let through while losing SNS's answer. */
  #lostPublishes = 0;

  constructor(spec: CellSpec, handlers: Handlers, clock: ManualClock, sms: SmsCollector) {
    this.#spec = spec;
    this.#handlers = handlers;
    this.#clock = clock;
    this.#sms = sms;
  }

  async run(proxy: FaultProxy, read: (pk: string) => Promise<Record<string, unknown>>): Promise<CellResult> {
    const { site, kind, lasting } = this.#spec;

    // Reach the call.
    let firstCode = "";
    if (site.scenario !== "send" && site.scenario !== "failed send") {
      this.#expect("the first send", await this.#generate(), 202);
      firstCode = await this.#latestCode();
    }
    if (site.scenario === "failed resend") this.#clock.advance(COOLDOWN_SECONDS + 1);
    if (site.scenario === "expired code") this.#clock.advance(TTL_SECONDS + 1);
    if (site.scenario === "failed send" || site.scenario === "failed resend") {
      // SNS refuses both attempts: the send fails whatever the cell's own fault does.
      proxy.arm({ operation: "Publish", times: SDK_ATTEMPTS.sns, fault: { kind: "status", status: 500 } });
    }
    const times = lasting === "once" ? 1 : SDK_ATTEMPTS[site.service];
    const rule = proxy.arm({
      operation: site.operation,
      ...(site.item ? { item: site.item } : {}),
      occurrence: site.occurrence,
      times,
      fault: faultOf(kind, site.service, lasting),
    });

    // The faulted request, then the fault heals.
    const faulted =
      site.flow === "generate"
        ? await this.#generate()
        : await this.#validate(site.scenario === "wrong code" ? wrongCode(firstCode) : firstCode);
    const fired = rule.fired;
    if (!rule.healed)
      this.#problems.push(`the fault fired ${fired} of ${times} times: the call was not reached`);
    rule.disarm();
    if (site.operation === "Publish" && kind === "answer lost") this.#lostPublishes = fired;

    // 502 or 503 when the call failed, the normal answer when the SDK's retry absorbed the fault.
    const expected = lasting === "once" ? site.normal : site.failsAs;
    this.#expect("the faulted request", faulted, expected);
    if (faulted.status === 502 && faulted.code !== "sms_send_failed")
      this.#problems.push(`502 ${faulted.code}`);
    if (faulted.status === 503 && faulted.code !== "service_unavailable")
      this.#problems.push(`503 ${faulted.code}`);
    if (faulted.ms >= ANSWER_BOUND_MS) this.#problems.push(`answered after ${Math.round(faulted.ms)} ms`);

    await this.#recover(faulted, firstCode);

    if (site.flow === "validate") {
      // Guess until refused: whatever failed, a code is compared at most OTP_MAX_ATTEMPTS times.
      for (let guess = 0; guess <= MAX_ATTEMPTS; guess++) {
        if ((await this.#validate(wrongCode(firstCode))).code !== "invalid_code") break;
      }
      if (this.#evaluations > MAX_ATTEMPTS)
        this.#problems.push(`${this.#evaluations} codes compared, at most ${MAX_ATTEMPTS}`);
      if (site.scenario === "wrong code") {
        // Only attempts DynamoDB applied may be lost to the user; the lock then holds for the right code.
        const applied = kind === "answer lost" ? fired : 0;
        if (this.#evaluations < MAX_ATTEMPTS - applied)
          this.#problems.push(`only ${this.#evaluations} codes compared: the fault took attempts`);
        this.#expect(
          "the right code after the guesses",
          await this.#validate(firstCode),
          429,
          "too_many_attempts",
        );
      }
    }

    // No SMS the user was not told about, beyond those of a publish whose answer was lost.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const expectedSms = this.#sent + this.#lostPublishes;
    const extraSms = this.#sms.count(this.#phone) - expectedSms;
    if (extraSms !== 0) this.#problems.push(`${extraSms} SMS besides the ${expectedSms} expected`);

    const drift = await this.#drift(proxy.calls, read);
    this.#checkDrift(drift);
    return {
      spec: this.#spec,
      answer: faulted,
      recovery: this.#moves.join(" → "),
      drift,
      smsDespiteFailure: faulted.status === 202 ? 0 : this.#lostPublishes,
      problems: this.#problems,
    };
  }

  async #generate(): Promise<Answer> {
    const seen = await this.#timed(() =>
      this.#handlers.generate(generateEvent(this.#phone, { sourceIp: SOURCE_IP })),
    );
    if (seen.status === 202) this.#sent++;
    return seen;
  }

  async #validate(code: string): Promise<Answer> {
    const seen = await this.#timed(() => this.#handlers.validate(validateEvent(this.#phone, code)));
    if (seen.status === 200) this.#verified++;
    if (seen.status === 200 || seen.code === "invalid_code") this.#evaluations++;
    return seen;
  }

  /** The code of the latest SMS, once every SMS expected so far has arrived. */
  async #latestCode(): Promise<string> {
    return codeFrom(await this.#sms.latest(this.#phone, this.#sent + this.#lostPublishes));
  }

  async #timed(call: () => Promise<{ statusCode: number; body: string }>): Promise<Answer> {
    const started = performance.now();
    const result = await call();
    const error = bodyOf(result).error;
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    return {
      status: result.statusCode,
      code: text(error?.code),
      reason: text(error?.reason),
      retryAfter: typeof error?.retryAfter === "number" ? error.retryAfter : undefined,
      ms: performance.now() - started,
    };
  }

  #expect(what: string, seen: Answer, status: number, code?: string): boolean {
    const met = seen.status === status && (code === undefined || seen.code === code);
    if (!met) this.#problems.push(`${what}: ${describe(seen)}, expected ${status}${code ? ` ${code}` : ""}`);
    return met;
  }

  async #move(what: "generate" | "validate", code = ""): Promise<Answer> {
    const seen = what === "generate" ? await this.#generate() : await this.#validate(code);
    this.#moves.push(`${what} ${describe(seen)}`);
    return seen;
  }

  /** A new code by SMS, and that code verifies. */
  async #sendAndVerify(): Promise<void> {
    if (this.#expect("the retry", await this.#move("generate"), 202))
      this.#expect("the code of its SMS", await this.#move("validate", await this.#latestCode()), 200);
  }

  /** Waits out a cooldown the retry was refused with (only where the cell's aftermath says so). */
  async #pastCooldown(): Promise<void> {
    const refused = await this.#move("generate");
    if (this.#expect("the retry", refused, 429, "rate_limited") && refused.reason !== "resend_cooldown")
      this.#problems.push(`the retry was refused for ${refused.reason}, not the cooldown`);
    if ((refused.retryAfter ?? Number.POSITIVE_INFINITY) > COOLDOWN_SECONDS)
      this.#problems.push(`retryAfter ${refused.retryAfter} is longer than the cooldown`);
    this.#clock.advance(COOLDOWN_SECONDS + 1);
    this.#moves.push(`${COOLDOWN_SECONDS + 1} s later`);
  }

  /** The user's next moves until verified: one retry, at once, unless the aftermath says otherwise. */
  async #recover(faulted: Answer, firstCode: string): Promise<void> {
    const { site, kind, lasting } = this.#spec;
    const aftermath = aftermathOf(site, kind, lasting);
    if (site.flow === "generate") {
      if (faulted.status === 202) {
        this.#expect("the code of its SMS", await this.#move("validate", await this.#latestCode()), 200);
        return;
      }
      if (this.#lostPublishes > 0) {
        // The ambiguous case: the SMS went out, the client was told it failed, and its code is void.
        const code = await this.#latestCode();
        this.#expect("the SMS the client was told failed", await this.#move("validate", code), 410);
      }
      if (site.scenario === "refused resend") {
        this.#clock.advance(COOLDOWN_SECONDS + 1);
        this.#moves.push(`${COOLDOWN_SECONDS + 1} s later`);
      }
      if (aftermath === "cooldown") await this.#pastCooldown();
      await this.#sendAndVerify();
      return;
    }
    if (site.scenario === "right code" && faulted.status !== 200) {
      if (aftermath === "used code") {
        this.#expect("the retry", await this.#move("validate", firstCode), 410, "code_expired");
        await this.#pastCooldown();
        await this.#sendAndVerify();
        return;
      }
      this.#expect("the retry", await this.#move("validate", firstCode), 200);
    }
    if (site.scenario === "expired code") await this.#sendAndVerify();
  }

  /** Every counter the cell touched against what happened, read straight from the table. */
  async #drift(
    calls: readonly ProxiedCall[],
    read: (pk: string) => Promise<Record<string, unknown>>,
  ): Promise<Record<string, number>> {
    const keyOf = (item: string) => calls.find((call) => call.item === item)?.key;
    const window = Math.floor(this.#clock.now() / HOUR_MS);
    const count = (item: Record<string, unknown>, attribute: string) => {
      const value = item[attribute];
      return typeof value === "number" ? value : 0;
    };
    const drift: Record<string, number> = {};
    const note = (name: string, actual: number, expected: number) => {
      if (actual !== expected) drift[name] = actual - expected;
    };
    note("IP", count(await read(`IP#${SOURCE_IP}#${window}`), "sends"), this.#sent);
    note("PHONE", count(await read(`PHONE#${this.#phone}`), `sends_${window}`), this.#sent);
    note("GLOBAL", count(await read(`GLOBAL#${window}#0`), "sends"), this.#sent);
    for (const scope of ["RANGE", "COUNTRY"]) {
      const key = keyOf(scope);
      const item = key ? await read(key) : {};
      note(scope, count(item, `sends_${window}`), this.#sent);
      note(`${scope} verified`, count(item, `verified_${window}`), this.#verified);
    }
    return drift;
  }

  /**
   * Send counts are never below the sends made, so no limit can be passed. They are above only
   * where the outcome of a write was never heard (the SDK's retry counted again) or a give-back
   * failed on every attempt (one count kept, and logged). Verification counts are best effort.
   */
  #checkDrift(drift: Record<string, number>): void {
    const { site, kind, lasting } = this.#spec;
    const excused = kind === "answer lost" || (lasting === "every attempt" && site.undoes === true);
    for (const [counter, difference] of Object.entries(drift)) {
      if (counter.endsWith("verified")) continue;
      if (difference < 0) this.#problems.push(`${counter} counts ${-difference} fewer sends than were made`);
      else if (!excused) this.#problems.push(`${counter} counts ${difference} more sends than were made`);
    }
  }
}
