import * as v from "valibot";

/**
 * Building blocks for environment variables and CDK context values, which arrive as text: one
 * way to read a number, a list or an optional value, used by the functions' schema, the dev
 * server's and the CDK app's. Blank and absent both mean "not set".
 */

type Env = Readonly<Record<string, string | undefined>>;

/** An optional text value, trimmed; `undefined` when absent or blank. */
export const optionalText = v.pipe(
  // The default matters: an object skips an absent key whose optional schema has none.
  v.optional(v.string(), ""),
  v.trim(),
  v.transform((raw): string | undefined => (raw === "" ? undefined : raw)),
);

/** An optional text value with a default. */
export function textOr(fallback: string) {
  return v.pipe(
    optionalText,
    v.transform((raw) => raw ?? fallback),
  );
}

/** An optional text value that, when set, must pass `ok`. */
export function optionalWhere(ok: (raw: string) => boolean, message: string) {
  return v.pipe(
    optionalText,
    v.check((raw) => raw === undefined || ok(raw), message),
  );
}

/** `true` or `false`; `fallback` when not set. */
export function booleanFlag(fallback: boolean) {
  return v.pipe(
    textOr(String(fallback)),
    v.picklist(["true", "false"], (issue) => `must be true or false (got "${issue.input}")`),
    v.transform((raw) => raw === "true"),
  );
}

/** One of `choices`; `fallback` when not set. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T, fallback: T[number]) {
  return v.pipe(
    textOr(fallback),
    v.picklist(choices, (issue) => `must be one of ${choices.join(", ")} (got "${issue.input}")`),
  );
}

function numberBetween(pattern: RegExp, kind: string, min: number, max: number, fallback: number) {
  return v.pipe(
    optionalText,
    v.transform((raw) => raw ?? String(fallback)),
    v.regex(pattern, (issue) => `must be ${kind} from ${min} to ${max} (got "${issue.input}")`),
    v.transform(Number),
    v.minValue(min, (issue) => `must be ${kind} from ${min} to ${max} (got ${issue.input})`),
    v.maxValue(max, (issue) => `must be ${kind} from ${min} to ${max} (got ${issue.input})`),
  );
}

/** A whole number from `min` to `max`; `fallback` when not set. */
export function wholeNumber(min: number, max: number, fallback: number) {
  return numberBetween(/^\d+$/, "a whole number", min, max, fallback);
}

/** A non-negative decimal number (`0.25`, `50`) from `min` to `max`; `fallback` when not set. */
export function decimal(min: number, max: number, fallback: number) {
  return numberBetween(/^\d+(\.\d+)?$/, "a number", min, max, fallback);
}

/** The items of a comma-separated list, trimmed, blanks dropped. */
export function commaList(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** An issue on one variable, for checks that look at several (valibot paths are objects). */
export function pathTo(name: string, input: Record<string, unknown>): [v.ObjectPathItem] {
  return [{ type: "object", origin: "value", input, key: name, value: input[name] }];
}

/** Thrown when the environment does not satisfy a schema; the message lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
  }
}

/**
 * One line per issue, `NAME: message (value: "...")`. The value is shown unless the message
 * already quotes it or the variable is a secret.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], env: Env): string[] {
  return issues.map((issue) => {
    const name = v.getDotPath(issue) || "environment";
    const value = env[name];
    const shown = /SECRET/.test(name) || value === undefined ? "" : ` (value: "${value}")`;
    return `${name}: ${issue.message}${issue.message.includes("got") ? "" : shown}`;
  });
}
