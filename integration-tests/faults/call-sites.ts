import type { Fault } from "#test-support/fault-proxy";

/**
 * Every AWS call of `generate` (its rollback calls included) and `validate`, with the scenario
 * that reaches it, what the client hears when nothing fails, and what it hears when the call fails
 * on every SDK attempt. The order of calls is in README.md, "Data model and AWS calls".
 */

/** How a cell reaches its call; the faulted request is the last one of each. */
export type Scenario =
  /** A first send to a fresh number. */
  | "send"
  /** A send, then a resend inside the cooldown: refused, so every count is given back. */
  | "refused resend"
  /** A first send whose SMS fails (SNS refuses it twice): the phone record is removed again. */
  | "failed send"
  /** A send, then after the cooldown a resend whose SMS fails: the previous code is restored. */
  | "failed resend"
  /** A send, then the right code. */
  | "right code"
  /** A send, then a wrong code. */
  | "wrong code"
  /** A send, then the right code after it expired: the refusal reads why. */
  | "expired code";

export interface CallSite {
  readonly flow: "generate" | "validate";
  /** What the call does, as the matrix names it. */
  readonly label: string;
  readonly service: "dynamodb" | "sns";
  readonly operation: string;
  readonly item?: string;
  /** Which matching call after the rule is armed (a give-back is the 2nd UpdateItem on its item). */
  readonly occurrence: number;
  readonly scenario: Scenario;
  /** The status when nothing fails. */
  readonly normal: number;
  /** The status when this call fails on every SDK attempt. */
  readonly failsAs: number;
  /** A call that gives something back (a count, the phone record): its failure is logged, not answered. */
  readonly undoes?: true;
  /** What a failure on every attempt leaves that one retry cannot get past at once (README, "Reliability"). */
  readonly leavesBehind?: Aftermath;
}

/**
 * - `cooldown`: the phone record keeps a code that was never sent, so the retry is refused with
 *   `resend_cooldown` until the cooldown is over;
 * - `used code`: the code was consumed by the attempt whose answer was lost, so the retry gets
 *   `code_expired` and the user asks for a new code.
 */
export interface Aftermath {
  readonly what: "cooldown" | "used code";
  /** Only when the answer is lost (the write was applied), or only when it is not. */
  readonly when: "answer lost" | "not applied";
}

export const CALL_SITES: readonly CallSite[] = [
  ...(
    [
      ["IP", "count the source's send"],
      ["RANGE", "count the range's send"],
      ["COUNTRY", "count the country's send"],
      ["GLOBAL", "count against the ceiling"],
      ["PHONE", "cooldown, hourly cap, new code"],
    ] as const
  ).map(
    ([item, label]): CallSite => ({
      flow: "generate",
      label: `UpdateItem ${item}: ${label}`,
      service: "dynamodb",
      operation: "UpdateItem",
      item,
      occurrence: 1,
      scenario: "send",
      normal: 202,
      failsAs: 503,
      ...(item === "PHONE" ? { leavesBehind: { what: "cooldown", when: "answer lost" } as const } : {}),
    }),
  ),
  {
    flow: "generate",
    label: "Publish: the SMS",
    service: "sns",
    operation: "Publish",
    occurrence: 1,
    scenario: "send",
    normal: 202,
    failsAs: 502,
  },
  // A lost give-back is logged, never thrown over the refusal the client is owed.
  ...(["IP", "RANGE", "COUNTRY", "GLOBAL"] as const).map(
    (item): CallSite => ({
      flow: "generate",
      label: `UpdateItem ${item}: give the count back`,
      service: "dynamodb",
      operation: "UpdateItem",
      item,
      occurrence: 2,
      scenario: "refused resend",
      normal: 429,
      failsAs: 429,
      undoes: true,
    }),
  ),
  {
    flow: "generate",
    label: "GetItem PHONE: read why the send was refused",
    service: "dynamodb",
    operation: "GetItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "refused resend",
    normal: 429,
    failsAs: 503,
  },
  {
    flow: "generate",
    label: "DeleteItem PHONE: remove the code whose SMS failed",
    service: "dynamodb",
    operation: "DeleteItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "failed send",
    normal: 502,
    failsAs: 502,
    undoes: true,
    leavesBehind: { what: "cooldown", when: "not applied" },
  },
  {
    flow: "generate",
    label: "PutItem PHONE: restore the code before a failed resend",
    service: "dynamodb",
    operation: "PutItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "failed resend",
    normal: 502,
    failsAs: 502,
    undoes: true,
    leavesBehind: { what: "cooldown", when: "not applied" },
  },
  {
    flow: "validate",
    label: "UpdateItem PHONE: count the attempt (right code)",
    service: "dynamodb",
    operation: "UpdateItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "right code",
    normal: 200,
    failsAs: 503,
  },
  {
    flow: "validate",
    label: "UpdateItem PHONE: consume the code",
    service: "dynamodb",
    operation: "UpdateItem",
    item: "PHONE",
    occurrence: 2,
    scenario: "right code",
    normal: 200,
    failsAs: 503,
    leavesBehind: { what: "used code", when: "answer lost" },
  },
  // Best effort: the code is consumed already, and a lost count must not cost the person their token.
  ...(["RANGE", "COUNTRY"] as const).map(
    (item): CallSite => ({
      flow: "validate",
      label: `UpdateItem ${item}: count the verification`,
      service: "dynamodb",
      operation: "UpdateItem",
      item,
      occurrence: 1,
      scenario: "right code",
      normal: 200,
      failsAs: 200,
    }),
  ),
  {
    flow: "validate",
    label: "UpdateItem PHONE: count the attempt (wrong code)",
    service: "dynamodb",
    operation: "UpdateItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "wrong code",
    normal: 403,
    failsAs: 503,
  },
  {
    flow: "validate",
    label: "GetItem PHONE: read why the code was refused",
    service: "dynamodb",
    operation: "GetItem",
    item: "PHONE",
    occurrence: 1,
    scenario: "expired code",
    normal: 410,
    failsAs: 503,
  },
];

/** What a cell's fault leaves behind, if anything a retry cannot get past at once. */
export function aftermathOf(
  site: CallSite,
  kind: FaultKind,
  lasting: Lasting,
): Aftermath["what"] | undefined {
  const after = site.leavesBehind;
  if (lasting === "once" || after === undefined) return undefined;
  return (after.when === "answer lost") === (kind === "answer lost") ? after.what : undefined;
}

/** The fault kinds of the matrix, in its column order. */
export const FAULT_KINDS = ["500", "503", "throttled", "reset", "hang", "answer lost"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Once: one SDK attempt fails and the retry may absorb it. Every attempt: the call fails. */
export type Lasting = "once" | "every attempt";

/** The SDK's attempts per call (functions/src/adapters/aws-clients.ts). */
export const SDK_ATTEMPTS = { dynamodb: 3, sns: 2 } as const;

/**
 * The proxy's fault for a cell. DynamoDB throttles with two codes: a single throttled attempt
 * answers `ThrottlingException`, a lasting one `ProvisionedThroughputExceededException`.
 */
export function faultOf(kind: FaultKind, service: CallSite["service"], lasting: Lasting): Fault {
  switch (kind) {
    case "500":
      return { kind: "status", status: 500 };
    case "503":
      return { kind: "status", status: 503 };
    case "throttled":
      if (service === "sns") return { kind: "throttle", code: "Throttling" };
      return {
        kind: "throttle",
        code: lasting === "once" ? "ThrottlingException" : "ProvisionedThroughputExceededException",
      };
    case "reset":
      return { kind: "reset" };
    case "hang":
      return { kind: "hang" };
    case "answer lost":
      return { kind: "lose-answer" };
  }
}
