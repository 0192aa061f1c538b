import { isAbsolute, join, resolve } from "node:path";
import * as v from "valibot";
import { API_THROTTLE, REPO_ROOT, type ThrottleLimits } from "#api-contract";
import {
  booleanFlag,
  CONFIG_VARIABLES,
  decimal,
  describeIssues,
  oneOf,
  optionalText,
  optionalWhere,
  wholeNumber,
} from "#functions/config";
import { SMS_DESTINATION_CODES } from "./sms-countries.ts";

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

/**
 * Requests to /generate one IP may make in 5 minutes before the web ACL blocks it: the service's
 * own per-IP cap (OTP_MAX_SENDS_PER_IP_PER_HOUR, 20 by default) refuses anything beyond that in
 * an hour anyway, so the web ACL only saves the Lambda and DynamoDB work of refusing a flood.
 */
const DEFAULT_WAF_GENERATE_RATE_LIMIT = 20;
/** AWS WAF's bounds for a rate-based rule's limit. */
const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

/** What the web ACL does with requests from VPNs, proxies, Tor and hosting providers. */
const ANONYMOUS_IP_MODES = ["block", "count", "off"] as const;
export type AnonymousIpMode = (typeof ANONYMOUS_IP_MODES)[number];

/** Context keys of earlier versions, refused with their new name rather than silently ignored. */
const RENAMED_KEYS: Readonly<Record<string, string>> = {
  throttleRateLimit: "API_THROTTLE_RATE_LIMIT",
  throttleBurstLimit: "API_THROTTLE_BURST_LIMIT",
};

/** The API's AWS WAF web ACL (prod). */
export interface WafSettings {
  readonly enabled: boolean;
  /** Requests to /generate per source IP per 5 minutes. */
  readonly generateRateLimit: number;
  readonly anonymousIpList: AnonymousIpMode;
}

/** The page's own domain name on CloudFront, with its ACM certificate (in us-east-1). */
export interface SiteDomain {
  readonly name: string;
  readonly certificateArn: string;
}

/** The SMS protect configuration, built from OTP_ALLOWED_COUNTRIES. */
export interface SmsProtectSettings {
  /** Countries SMS may go to; every other destination is blocked. */
  readonly allowedCountries: readonly string[];
  /** Make it the account's default protect configuration, which is what governs SNS. */
  readonly accountDefault: boolean;
}

/** Everything the stack needs to know about one deployment, read from CDK context. */
export interface StageSettings {
  readonly stage: DeployStage;
  readonly stackName: string;
  /** Run the cdk-nag packs during synth. */
  readonly nag: boolean;
  readonly throttle: ThrottleLimits;
  readonly waf: WafSettings;
  /** Unset: the page is served on CloudFront's own *.cloudfront.net name. */
  readonly siteDomain: SiteDomain | undefined;
  /** Unset when OTP_ALLOWED_COUNTRIES is not given: there is nothing to allow-list. */
  readonly smsProtect: SmsProtectSettings | undefined;
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

/** CDK context arrives as strings from `-c`, as JSON values from cdk.json or a test's App. */
function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(",");
  return JSON.stringify(value);
}

/** The stack's own context keys, read with the same building blocks as the functions' variables. */
const contextSchema = v.object({
  stage: oneOf(DEPLOY_STAGES, "prod"),
  nag: booleanFlag(false),
  // The dev server reads these same names from its environment, with the same bounds.
  API_THROTTLE_RATE_LIMIT: decimal(1, API_THROTTLE.rateLimit.max, API_THROTTLE.rateLimit.default),
  API_THROTTLE_BURST_LIMIT: wholeNumber(1, API_THROTTLE.burstLimit.max, API_THROTTLE.burstLimit.default),
  smsSpendAlarmUsd: wholeNumber(1, 1_000_000, DEFAULT_SMS_SPEND_ALARM_USD),
  wafEnabled: booleanFlag(true),
  wafGenerateRateLimit: wholeNumber(
    WAF_RATE_LIMIT_RANGE.min,
    WAF_RATE_LIMIT_RANGE.max,
    DEFAULT_WAF_GENERATE_RATE_LIMIT,
  ),
  wafAnonymousIpList: oneOf(ANONYMOUS_IP_MODES, "block"),
  smsProtectAccountDefault: booleanFlag(false),
  alarmEmail: optionalWhere((raw) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw), "must be an email address"),
  webAssetDir: optionalText,
});

function given(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;

function readSiteDomain(
  name: string | undefined,
  certificateArn: string | undefined,
  problems: string[],
): SiteDomain | undefined {
  if (name === undefined && certificateArn === undefined) return undefined;
  if (certificateArn === undefined) {
    problems.push(
      "siteCertificateArn: is needed with siteDomain (an ACM certificate for that name, in us-east-1)",
    );
    return undefined;
  }
  if (name === undefined) {
    problems.push("siteDomain: is needed with siteCertificateArn (the name the certificate is for)");
    return undefined;
  }
  let valid = true;
  if (!HOST_NAME.test(name)) {
    problems.push(
      `siteDomain: must be a lower-case host name such as otp.example.com, without scheme or path (got "${name}")`,
    );
    valid = false;
  }
  const region = ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
  if (region === undefined) {
    problems.push(`siteCertificateArn: must be an ACM certificate ARN (got "${certificateArn}")`);
    valid = false;
  } else if (region !== "us-east-1") {
    problems.push(
      `siteCertificateArn: must be a certificate in us-east-1, the only region CloudFront takes certificates from (got ${region})`,
    );
    valid = false;
  }
  return valid ? { name, certificateArn } : undefined;
}

function readSmsProtect(
  accountDefault: boolean,
  allowedCountries: string | undefined,
  problems: string[],
): SmsProtectSettings | undefined {
  const countries = (allowedCountries ?? "")
    .split(",")
    .map((country) => country.trim().toUpperCase())
    .filter((country) => country.length > 0);
  if (countries.length === 0) {
    if (accountDefault) {
      problems.push(
        "smsProtectAccountDefault: needs OTP_ALLOWED_COUNTRIES, the countries the protect configuration allows",
      );
    }
    return undefined;
  }
  // Malformed codes are named by the functions' config schema; here only the SMS destination list is checked.
  const notSmsDestinations = countries.filter(
    (country) => /^[A-Z]{2}$/.test(country) && !SMS_DESTINATION_CODES.has(country),
  );
  if (notSmsDestinations.length > 0) {
    problems.push(
      `OTP_ALLOWED_COUNTRIES: ${notSmsDestinations.join(", ")} ${
        notSmsDestinations.length === 1 ? "is not a destination" : "are not destinations"
      } of AWS End User Messaging SMS (infra/lib/sms-countries.ts)`,
    );
  }
  return { allowedCountries: countries, accountDefault };
}

/**
 * Reads and checks the deployment settings from CDK context (`-c key=value`, cdk.json or the
 * test's App context). Function variables are checked again, as a whole, by the shared config
 * schema when the stack builds the function environment.
 * @throws SettingsError naming every bad or unknown key.
 */
export function readStageSettings(context: Readonly<Record<string, unknown>>): StageSettings {
  const text: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(context)) text[key] = asText(value);
  const parsed = v.safeParse(contextSchema, text);
  const problems = parsed.success ? [] : describeIssues(parsed.issues, text);
  const settings = parsed.success ? parsed.output : undefined;
  // Read beside the schema so a bad domain is named even when another key already failed.
  const siteDomain = readSiteDomain(given(text.siteDomain), given(text.siteCertificateArn), problems);
  const rawAssetDir = settings?.webAssetDir;
  const webAssetDir =
    rawAssetDir === undefined
      ? join(REPO_ROOT, "web", "dist")
      : isAbsolute(rawAssetDir)
        ? rawAssetDir
        : resolve(REPO_ROOT, rawAssetDir);

  const passthrough: Record<string, string> = {};
  for (const [key, value] of Object.entries(text)) {
    const renamed = RENAMED_KEYS[key];
    if (renamed) {
      problems.push(`${key}: was renamed to ${renamed} (the dev server's variable of the same meaning)`);
    } else if (PASSTHROUGH_VARIABLES.includes(key)) {
      const setting = given(value);
      if (setting !== undefined) passthrough[key] = setting;
    } else if ((STACK_OWNED_VARIABLES as readonly string[]).includes(key)) {
      problems.push(`${key}: is set by the stack itself and cannot be given as context`);
    } else if (key.startsWith("OTP_")) {
      problems.push(
        `${key}: is not a variable of the config schema (known: ${PASSTHROUGH_VARIABLES.join(", ")})`,
      );
    }
  }

  const smsProtect = readSmsProtect(
    settings?.smsProtectAccountDefault ?? false,
    passthrough.OTP_ALLOWED_COUNTRIES,
    problems,
  );

  if (problems.length > 0 || !settings) throw new SettingsError(problems);
  return {
    stage: settings.stage,
    stackName: `SmsOtp-${settings.stage}`,
    nag: settings.nag,
    throttle: { rateLimit: settings.API_THROTTLE_RATE_LIMIT, burstLimit: settings.API_THROTTLE_BURST_LIMIT },
    waf: {
      enabled: settings.wafEnabled,
      generateRateLimit: settings.wafGenerateRateLimit,
      anonymousIpList: settings.wafAnonymousIpList,
    },
    siteDomain,
    smsProtect,
    alarmEmail: settings.alarmEmail,
    smsSpendAlarmUsd: settings.smsSpendAlarmUsd,
    webAssetDir,
    passthrough,
  };
}
