import { isAbsolute, join, resolve } from "node:path";
import { API_THROTTLE, REPO_ROOT, type ThrottleLimits } from "#api-contract";
import { CONFIG_VARIABLES } from "#functions/config";

/** The two deployment targets built from the one stack definition. */
const DEPLOY_STAGES = ["prod", "local"] as const;
export type DeployStage = (typeof DEPLOY_STAGES)[number];

/**
 * Schema variables that the CDK stack owns: they are derived from the resources it creates, so a
 * context value for them would either be ignored or contradict the stack.
 */
const STACK_OWNED_VARIABLES = [
  "STAGE",
  "TABLE_NAME",
  "OTP_TOKEN_SECRET",
  "OTP_TOKEN_SECRET_ARN",
  "SMS_CAPTURE_TOPIC_ARN",
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
] as const;

/** Schema variables a deployer may set with `-c NAME=value` (same name as the environment variable). */
export const PASSTHROUGH_VARIABLES: readonly string[] = CONFIG_VARIABLES.filter(
  (name) => !(STACK_OWNED_VARIABLES as readonly string[]).includes(name),
);

/** New accounts start with a 1 USD monthly SMS spend limit; alarm when it is reached. */
const DEFAULT_SMS_SPEND_ALARM_USD = 1;

/** Context keys of earlier versions, refused with their new name rather than silently ignored. */
const RENAMED_KEYS: Readonly<Record<string, string>> = {
  throttleRateLimit: "API_THROTTLE_RATE_LIMIT",
  throttleBurstLimit: "API_THROTTLE_BURST_LIMIT",
};

/** Everything the stack needs to know about one deployment, read from CDK context. */
export interface StageSettings {
  readonly stage: DeployStage;
  readonly stackName: string;
  readonly throttle: ThrottleLimits;
  /** Email address subscribed to the alarm topic (prod); no topic when unset. */
  readonly alarmEmail: string | undefined;
  readonly smsSpendAlarmUsd: number;
  /** Directory holding the built page (index.html and its assets). */
  readonly webAssetDir: string;
  /** Schema variables given in context (`OTP_*`, `ALLOWED_ORIGINS`), passed to the functions as is. */
  readonly passthrough: Readonly<Record<string, string>>;
}

/** A context value that cannot be used; the message names the context key. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid CDK context:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
  }
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(",");
  return JSON.stringify(value);
}

function wholeNumber(
  context: Readonly<Record<string, unknown>>,
  key: string,
  range: { min: number; max: number; fallback: number },
  problems: string[],
): number {
  const raw = asText(context[key]);
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    problems.push(`${key}: must be a whole number from ${range.min} to ${range.max} (got "${raw}")`);
    return range.fallback;
  }
  return value;
}

/**
 * Reads and checks the deployment settings from CDK context (`-c key=value`, cdk.json or the
 * test's App context). Function variables are checked again, as a whole, by the shared config
 * schema when the stack builds the function environment.
 * @throws SettingsError naming every bad or unknown key.
 */
export function readStageSettings(context: Readonly<Record<string, unknown>>): StageSettings {
  const problems: string[] = [];

  const rawStage = asText(context.stage) ?? "prod";
  const stage = (DEPLOY_STAGES as readonly string[]).includes(rawStage)
    ? (rawStage as DeployStage)
    : undefined;
  if (!stage) problems.push(`stage: must be one of ${DEPLOY_STAGES.join(", ")} (got "${rawStage}")`);

  const throttle = {
    rateLimit: wholeNumber(
      context,
      "API_THROTTLE_RATE_LIMIT",
      { min: 1, max: API_THROTTLE.rateLimit.max, fallback: API_THROTTLE.rateLimit.default },
      problems,
    ),
    burstLimit: wholeNumber(
      context,
      "API_THROTTLE_BURST_LIMIT",
      { min: 1, max: API_THROTTLE.burstLimit.max, fallback: API_THROTTLE.burstLimit.default },
      problems,
    ),
  };
  const smsSpendAlarmUsd = wholeNumber(
    context,
    "smsSpendAlarmUsd",
    { min: 1, max: 1_000_000, fallback: DEFAULT_SMS_SPEND_ALARM_USD },
    problems,
  );

  const alarmEmail = asText(context.alarmEmail);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail: must be an email address (got "${alarmEmail}")`);
  }

  const rawAssetDir = asText(context.webAssetDir);
  const webAssetDir =
    rawAssetDir === undefined
      ? join(REPO_ROOT, "web", "dist")
      : isAbsolute(rawAssetDir)
        ? rawAssetDir
        : resolve(REPO_ROOT, rawAssetDir);

  const passthrough: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    const text = asText(value);
    const renamed = RENAMED_KEYS[key];
    if (renamed) {
      problems.push(`${key}: was renamed to ${renamed} (the dev server's variable of the same meaning)`);
    } else if (PASSTHROUGH_VARIABLES.includes(key)) {
      if (text !== undefined) passthrough[key] = text;
    } else if ((STACK_OWNED_VARIABLES as readonly string[]).includes(key)) {
      problems.push(`${key}: is set by the stack itself and cannot be given as context`);
    } else if (key.startsWith("OTP_")) {
      problems.push(
        `${key}: is not a variable of the config schema (known: ${PASSTHROUGH_VARIABLES.join(", ")})`,
      );
    }
  }

  if (problems.length > 0 || !stage) throw new SettingsError(problems);
  return {
    stage,
    stackName: `SmsOtp-${stage}`,
    throttle,
    alarmEmail,
    smsSpendAlarmUsd,
    webAssetDir,
    passthrough,
  };
}
