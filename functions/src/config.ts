import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import type { OtpLimits } from "./domain/otp-service.ts";

/**
 * The one configuration schema of the service (README.md, "Configuration"). The Lambda handlers, the dev
 * server and the CDK stack all read these names; the schema is validated once per cold start (or
 * at boot) and a bad value fails fast with a message that names the variable.
 */

export const DEFAULT_SMS_TEMPLATE =
  "{code} is your {app} verification code. It expires in {minutes} minutes.";
const TEMPLATE_PLACEHOLDERS = ["code", "app", "minutes"] as const;
const MIN_SECRET_LENGTH = 32;

const stages = ["local", "dev", "prod"] as const;
export type Stage = (typeof stages)[number];

function intInRange(min: number, max: number, fallback: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === "") return fallback;
      if (!/^\d+$/.test(raw)) {
        ctx.addIssue({
          code: "custom",
          message: `must be a whole number from ${min} to ${max} (got "${raw}")`,
        });
        return z.NEVER;
      }
      const value = Number(raw);
      if (value < min || value > max) {
        ctx.addIssue({ code: "custom", message: `must be from ${min} to ${max} (got ${value})` });
        return z.NEVER;
      }
      return value;
    });
}

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((raw) => (raw === undefined || raw === "" ? undefined : raw));

function commaList(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

const countryList = optionalString.transform((raw, ctx) => {
  const countries = commaList(raw).map((country) => country.toUpperCase());
  for (const country of countries) {
    if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountry(country)) {
      ctx.addIssue({
        code: "custom",
        message: `"${country}" is not an ISO 3166 alpha-2 country with phone numbers`,
      });
    }
  }
  return countries;
});

const originList = optionalString.transform((raw, ctx) => {
  const origins = commaList(raw);
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      ctx.addIssue({ code: "custom", message: `"${origin}" is not an origin like https://app.example.com` });
    }
  }
  return origins;
});

const smsTemplate = optionalString.transform((raw, ctx) => {
  const template = raw ?? DEFAULT_SMS_TEMPLATE;
  if (!template.includes("{code}")) {
    ctx.addIssue({ code: "custom", message: "must contain the {code} placeholder" });
  }
  for (const match of template.matchAll(/\{(\w*)\}/g)) {
    const name = match[1] ?? "";
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      ctx.addIssue({
        code: "custom",
        message: `unknown placeholder {${name}}; use ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
      });
    }
  }
  return template;
});

const hostname = optionalString.refine(
  (raw) =>
    raw === undefined ||
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(raw),
  { message: "must be a bare host name such as app.example.com (no scheme, port or path)" },
);

const testNumbers = optionalString.transform((raw, ctx) => {
  const entries = new Map<string, string>();
  for (const pair of commaList(raw)) {
    const [phone, code, extra] = pair.split("=").map((part) => part.trim());
    if (
      extra !== undefined ||
      !phone ||
      !code ||
      !/^\+[1-9]\d{6,14}$/.test(phone) ||
      !/^\d{4,10}$/.test(code)
    ) {
      ctx.addIssue({ code: "custom", message: `"${pair}" is not of the form +15005550006=123456` });
      continue;
    }
    entries.set(phone, code);
  }
  return entries;
});

const url = optionalString.refine(
  (raw) => {
    if (raw === undefined) return true;
    try {
      return ["http:", "https:"].includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  },
  { message: "must be an http(s) URL such as http://localhost:4566" },
);

const environmentSchema = z
  .object({
    STAGE: z
      .string()
      .trim()
      .optional()
      .transform((raw) => (raw === undefined || raw === "" ? "dev" : raw))
      .pipe(z.enum(stages, { message: `must be one of ${stages.join(", ")}` })),
    OTP_LENGTH: intInRange(4, 10, 6),
    OTP_TTL_SECONDS: intInRange(30, 600, 300),
    OTP_MAX_ATTEMPTS: intInRange(1, 20, 5),
    OTP_RESEND_COOLDOWN_SECONDS: intInRange(0, 3600, 30),
    OTP_MAX_SENDS_PER_HOUR: intInRange(1, 1000, 5),
    OTP_MAX_SENDS_PER_IP_PER_HOUR: intInRange(1, 100_000, 20),
    OTP_ALLOWED_COUNTRIES: countryList,
    OTP_APP_NAME: optionalString
      .transform((raw) => raw ?? "Demo")
      .refine((name) => name.length <= 40 && !/[\r\n{}]/.test(name), {
        message: "must be at most 40 characters with no line breaks or braces",
      }),
    OTP_SMS_TEMPLATE: smsTemplate,
    OTP_WEBOTP_DOMAIN: hostname,
    OTP_TEST_NUMBERS: testNumbers,
    OTP_TOKEN_TTL_SECONDS: intInRange(60, 86_400, 600),
    OTP_TOKEN_ISSUER: optionalString.transform((raw) => raw ?? "sms-otp"),
    OTP_TOKEN_AUDIENCE: optionalString.transform((raw) => raw ?? "sms-otp-verified-phone"),
    OTP_TOKEN_SECRET: optionalString.refine((raw) => raw === undefined || raw.length >= MIN_SECRET_LENGTH, {
      message: `must be at least ${MIN_SECRET_LENGTH} characters (use a random value)`,
    }),
    OTP_TOKEN_SECRET_ARN: optionalString.refine((raw) => raw === undefined || raw.startsWith("arn:"), {
      message: "must be a Secrets Manager ARN",
    }),
    OTP_SMS_SENDER_ID: optionalString.refine(
      (raw) => raw === undefined || /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(raw),
      {
        message: "must be 1-11 letters or digits with at least one letter",
      },
    ),
    OTP_SMS_ORIGINATION_NUMBER: optionalString.refine(
      (raw) => raw === undefined || /^\+[1-9]\d{1,14}$/.test(raw),
      {
        message: "must be an E.164 number such as +18005550100",
      },
    ),
    ALLOWED_ORIGINS: originList,
    TABLE_NAME: z
      .string({ message: "is required (the DynamoDB table name)" })
      .trim()
      .min(1, "must not be empty"),
    SMS_CAPTURE_TOPIC_ARN: optionalString.refine((raw) => raw === undefined || raw.startsWith("arn:"), {
      message: "must be an SNS topic ARN",
    }),
    AWS_ENDPOINT_URL: url,
    AWS_REGION: optionalString.transform((raw) => raw ?? "us-east-1"),
  })
  .superRefine((env, ctx) => {
    for (const [phone, code] of env.OTP_TEST_NUMBERS) {
      if (code.length !== env.OTP_LENGTH) {
        ctx.addIssue({
          code: "custom",
          path: ["OTP_TEST_NUMBERS"],
          message: `the code for ${phone} must have OTP_LENGTH (${env.OTP_LENGTH}) digits`,
        });
      }
    }
    if (env.STAGE === "prod") {
      if (env.OTP_TEST_NUMBERS.size > 0) {
        ctx.addIssue({ code: "custom", path: ["OTP_TEST_NUMBERS"], message: "is refused when STAGE=prod" });
      }
      if (env.ALLOWED_ORIGINS.includes("*")) {
        ctx.addIssue({
          code: "custom",
          path: ["ALLOWED_ORIGINS"],
          message: "must not contain * when STAGE=prod",
        });
      }
      if (env.SMS_CAPTURE_TOPIC_ARN) {
        ctx.addIssue({
          code: "custom",
          path: ["SMS_CAPTURE_TOPIC_ARN"],
          message: "is for local stacks only; refused when STAGE=prod",
        });
      }
    }
  });

/** Validated, typed configuration shared by the handlers, the dev server and the CDK stack. */
export interface OtpConfig {
  readonly stage: Stage;
  readonly otp: OtpLimits;
  readonly sms: {
    readonly appName: string;
    readonly template: string;
    readonly webOtpDomain: string | undefined;
    readonly senderId: string | undefined;
    readonly originationNumber: string | undefined;
    /** When set, SMS go to this SNS topic (local stacks) instead of to phones. */
    readonly captureTopicArn: string | undefined;
  };
  readonly token: {
    readonly ttlSeconds: number;
    readonly issuer: string;
    readonly audience: string;
    readonly secret: string | undefined;
    readonly secretArn: string | undefined;
  };
  readonly http: {
    readonly allowedOrigins: readonly string[];
  };
  readonly aws: {
    readonly tableName: string;
    readonly region: string;
    readonly endpointUrl: string | undefined;
  };
}

/** Thrown when the environment does not satisfy the schema; the message lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
  }
}

/** The environment variable names this schema reads (for CDK and documentation). */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as readonly string[];

/**
 * Validates environment variables and returns the typed configuration.
 * @throws ConfigError naming each variable that is missing or out of range.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): OtpConfig {
  const parsed = environmentSchema.safeParse(env);
  // Checked on the raw values so it is reported together with field errors, which stop zod
  // before its whole-object refinements run.
  const secretMissing = !env.OTP_TOKEN_SECRET?.trim() && !env.OTP_TOKEN_SECRET_ARN?.trim();
  const secretProblem = secretMissing
    ? ["OTP_TOKEN_SECRET: set OTP_TOKEN_SECRET (local) or OTP_TOKEN_SECRET_ARN (Secrets Manager)"]
    : [];
  if (!parsed.success || secretMissing) {
    throw new ConfigError([
      ...(parsed.error?.issues ?? []).map((issue) => {
        const variable = issue.path.join(".") || "environment";
        const value = env[variable];
        const shown = variable.includes("SECRET") || value === undefined ? "" : ` (value: "${value}")`;
        return `${variable}: ${issue.message}${issue.message.includes("got") ? "" : shown}`;
      }),
      ...secretProblem,
    ]);
  }
  const e = parsed.data;
  return {
    stage: e.STAGE,
    otp: {
      length: e.OTP_LENGTH,
      ttlSeconds: e.OTP_TTL_SECONDS,
      maxAttempts: e.OTP_MAX_ATTEMPTS,
      resendCooldownSeconds: e.OTP_RESEND_COOLDOWN_SECONDS,
      maxSendsPerHour: e.OTP_MAX_SENDS_PER_HOUR,
      maxSendsPerIpPerHour: e.OTP_MAX_SENDS_PER_IP_PER_HOUR,
      allowedCountries: e.OTP_ALLOWED_COUNTRIES,
      testNumbers: e.OTP_TEST_NUMBERS,
    },
    sms: {
      appName: e.OTP_APP_NAME,
      template: e.OTP_SMS_TEMPLATE,
      webOtpDomain: e.OTP_WEBOTP_DOMAIN,
      senderId: e.OTP_SMS_SENDER_ID,
      originationNumber: e.OTP_SMS_ORIGINATION_NUMBER,
      captureTopicArn: e.SMS_CAPTURE_TOPIC_ARN,
    },
    token: {
      ttlSeconds: e.OTP_TOKEN_TTL_SECONDS,
      issuer: e.OTP_TOKEN_ISSUER,
      audience: e.OTP_TOKEN_AUDIENCE,
      secret: e.OTP_TOKEN_SECRET,
      secretArn: e.OTP_TOKEN_SECRET_ARN,
    },
    http: { allowedOrigins: e.ALLOWED_ORIGINS },
    aws: { tableName: e.TABLE_NAME, region: e.AWS_REGION, endpointUrl: e.AWS_ENDPOINT_URL },
  };
}
