import * as v from "valibot";
import type { OtpLimits } from "../domain/limits.ts";
import { isPhoneCountry } from "../domain/phone.ts";
import {
  ConfigError,
  commaList,
  decimal,
  describeIssues,
  optionalText,
  optionalWhere,
  pathTo,
  textOr,
  wholeNumber,
} from "./variables.ts";

/**
 * The one configuration schema of the service (README.md, "Configuration"). The Lambda
 * handlers, the dev server and the CDK stack all read these names; the schema is validated once
 * per cold start (or at boot, or at synth) and a bad value fails fast with a message that names
 * the variable.
 */

export const DEFAULT_SMS_TEMPLATE =
  "{code} is your {app} verification code. It expires in {minutes} minutes.";
const TEMPLATE_PLACEHOLDERS = ["code", "app", "minutes"] as const;
const MIN_SECRET_LENGTH = 32;
/** Sends an hour to a country without a budget of its own: a small deployment's headroom. */
const DEFAULT_COUNTRY_BUDGET = 100;

/** Where the service runs (the deployment stage): `prod` turns on the production refusals. */
const stages = ["local", "dev", "prod"] as const;
export type Stage = (typeof stages)[number];

const countryList = v.pipe(
  optionalText,
  v.rawTransform(({ dataset, addIssue }) => {
    const countries = commaList(dataset.value).map((country) => country.toUpperCase());
    for (const country of countries) {
      if (!/^[A-Z]{2}$/.test(country) || !isPhoneCountry(country)) {
        addIssue({ message: `"${country}" is not an ISO 3166 alpha-2 country with phone numbers` });
      }
    }
    return countries;
  }),
);

const originList = v.pipe(
  optionalText,
  v.rawTransform(({ dataset, addIssue }) => {
    const origins = commaList(dataset.value);
    for (const origin of origins) {
      if (origin !== "*" && URL.parse(origin)?.origin !== origin) {
        addIssue({ message: `"${origin}" is not an origin like https://app.example.com` });
      }
    }
    return origins;
  }),
);

const smsTemplate = v.pipe(
  optionalText,
  v.rawTransform(({ dataset, addIssue }) => {
    const template = dataset.value ?? DEFAULT_SMS_TEMPLATE;
    if (!template.includes("{code}")) addIssue({ message: "must contain the {code} placeholder" });
    for (const match of template.matchAll(/\{(\w*)\}/g)) {
      const name = match[1] ?? "";
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
        addIssue({
          message: `unknown placeholder {${name}}; use ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        });
      }
    }
    return template;
  }),
);

const testNumbers = v.pipe(
  optionalText,
  v.rawTransform(({ dataset, addIssue }) => {
    const entries = new Map<string, string>();
    for (const pair of commaList(dataset.value)) {
      const [phone, code, extra] = pair.split("=").map((part) => part.trim());
      if (
        extra !== undefined ||
        !phone ||
        !code ||
        !/^\+[1-9]\d{6,14}$/.test(phone) ||
        !/^\d{4,10}$/.test(code)
      ) {
        addIssue({ message: `"${pair}" is not of the form +15005550006=123456` });
        continue;
      }
      entries.set(phone, code);
    }
    return entries;
  }),
);

/** `US=5000,GB=500,*=200`, or one number for every country. */
const countryBudgets = v.pipe(
  textOr("*=100"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const byCountry = new Map<string, number>();
    let otherwise = DEFAULT_COUNTRY_BUDGET;
    const entries = /^\d+$/.test(dataset.value) ? [`*=${dataset.value}`] : commaList(dataset.value);
    for (const entry of entries) {
      const [country = "", amount = "", extra] = entry.split("=").map((part) => part.trim());
      const known = country === "*" || (/^[A-Z]{2}$/.test(country) && isPhoneCountry(country));
      if (extra !== undefined || !known || !/^\d{1,7}$/.test(amount)) {
        addIssue({ message: `"${entry}" is not of the form US=5000 or *=100 (a whole number per country)` });
        continue;
      }
      if (country === "*") otherwise = Number(amount);
      else byCountry.set(country, Number(amount));
    }
    return dataset.issues ? NEVER : { byCountry, otherwise };
  }),
);

const prefixList = v.pipe(
  optionalText,
  v.rawTransform(({ dataset, addIssue }) => {
    const prefixes = commaList(dataset.value);
    for (const prefix of prefixes) {
      if (!/^\+[1-9]\d{0,14}$/.test(prefix))
        addIssue({ message: `"${prefix}" is not an E.164 prefix such as +4474001` });
    }
    return prefixes;
  }),
);

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const variables = {
  STAGE: v.pipe(textOr("dev"), v.picklist(stages, `must be one of ${stages.join(", ")}`)),
  OTP_LENGTH: wholeNumber(4, 10, 6),
  OTP_TTL_SECONDS: wholeNumber(30, 600, 300),
  OTP_MAX_ATTEMPTS: wholeNumber(1, 20, 5),
  OTP_RESEND_COOLDOWN_SECONDS: wholeNumber(0, 3600, 30),
  OTP_MAX_SENDS_PER_HOUR: wholeNumber(1, 1000, 5),
  OTP_MAX_SENDS_PER_IP_PER_HOUR: wholeNumber(1, 100_000, 20),
  OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: countryBudgets,
  OTP_MAX_SENDS_PER_HOUR_TOTAL: wholeNumber(1, 10_000_000, 500),
  OTP_FRAUD_PREFIX_DIGITS: wholeNumber(1, 12, 6),
  OTP_FRAUD_MIN_SENDS: wholeNumber(0, 1_000_000, 20),
  OTP_FRAUD_MIN_CONVERSION: decimal(0, 1, 0.2),
  OTP_FRAUD_COUNTRY_MIN_SENDS: wholeNumber(0, 10_000_000, 50),
  OTP_FRAUD_COUNTRY_MIN_CONVERSION: decimal(0, 1, 0.1),
  OTP_FRAUD_BLOCK_SECONDS: wholeNumber(60, 7 * 86_400, 3600),
  OTP_FRAUD_EXEMPT_PREFIXES: prefixList,
  OTP_TURNSTILE_SITE_KEY: optionalText,
  OTP_TURNSTILE_SECRET_KEY: optionalText,
  OTP_ALLOWED_COUNTRIES: countryList,
  OTP_APP_NAME: v.pipe(
    textOr("Demo"),
    v.check(
      (name) => name.length <= 40 && !/[\r\n{}]/.test(name),
      "must be at most 40 characters with no line breaks or braces",
    ),
  ),
  OTP_SMS_TEMPLATE: smsTemplate,
  OTP_WEBOTP_DOMAIN: optionalWhere(
    (raw) => HOST_NAME.test(raw),
    "must be a bare host name such as app.example.com (no scheme, port or path)",
  ),
  OTP_TEST_NUMBERS: testNumbers,
  OTP_TOKEN_TTL_SECONDS: wholeNumber(60, 86_400, 600),
  OTP_TOKEN_ISSUER: textOr("sms-otp"),
  OTP_TOKEN_AUDIENCE: textOr("sms-otp-verified-phone"),
  OTP_TOKEN_SECRET: optionalWhere(
    (raw) => raw.length >= MIN_SECRET_LENGTH,
    `must be at least ${MIN_SECRET_LENGTH} characters (use a random value)`,
  ),
  OTP_TOKEN_SECRET_ARN: optionalWhere((raw) => raw.startsWith("arn:"), "must be a Secrets Manager ARN"),
  OTP_SMS_SENDER_ID: optionalWhere(
    (raw) => /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(raw),
    "must be 1-11 letters or digits with at least one letter",
  ),
  OTP_SMS_ORIGINATION_NUMBER: optionalWhere(
    (raw) => /^\+[1-9]\d{1,14}$/.test(raw),
    "must be an E.164 number such as +18005550100",
  ),
  ALLOWED_ORIGINS: originList,
  TABLE_NAME: v.pipe(optionalText, v.string("is required (the DynamoDB table name)")),
  SMS_CAPTURE_TOPIC_ARN: optionalWhere((raw) => raw.startsWith("arn:"), "must be an SNS topic ARN"),
  AWS_ENDPOINT_URL: optionalWhere(
    (raw) => ["http:", "https:"].includes(URL.parse(raw)?.protocol ?? ""),
    "must be an http(s) URL such as http://localhost:4566",
  ),
  AWS_REGION: textOr("us-east-1"),
};

const environmentSchema = v.pipe(
  v.object(variables),
  // Rules across variables run once every variable is valid on its own.
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.issues) return;
    const env = dataset.value;
    for (const [phone, code] of env.OTP_TEST_NUMBERS) {
      if (code.length !== env.OTP_LENGTH) {
        addIssue({
          message: `the code for ${phone} must have OTP_LENGTH (${env.OTP_LENGTH}) digits`,
          path: pathTo("OTP_TEST_NUMBERS", env),
        });
      }
    }
    if (env.STAGE !== "prod") return;
    if (env.OTP_TEST_NUMBERS.size > 0) {
      addIssue({ message: "is refused when STAGE=prod", path: pathTo("OTP_TEST_NUMBERS", env) });
    }
    if (env.ALLOWED_ORIGINS.includes("*")) {
      addIssue({ message: "must not contain * when STAGE=prod", path: pathTo("ALLOWED_ORIGINS", env) });
    }
    if (env.SMS_CAPTURE_TOPIC_ARN) {
      addIssue({
        message: "is for local stacks only; refused when STAGE=prod",
        path: pathTo("SMS_CAPTURE_TOPIC_ARN", env),
      });
    }
  }),
);

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
  /** Cloudflare Turnstile: the page renders the widget with the site key, generate checks the token. */
  readonly challenge: {
    readonly turnstileSiteKey: string | undefined;
    readonly turnstileSecretKey: string | undefined;
  };
  readonly aws: {
    readonly tableName: string;
    readonly region: string;
    readonly endpointUrl: string | undefined;
  };
}

/** The environment variable names this schema reads (for CDK and documentation). */
export const CONFIG_VARIABLES = Object.keys(variables) as readonly string[];

/**
 * Validates environment variables and returns the typed configuration.
 * @throws ConfigError naming each variable that is missing or out of range.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): OtpConfig {
  const parsed = v.safeParse(environmentSchema, env);
  // Checked on the raw values so it is reported together with the field errors, which stop the
  // rules across variables.
  const secretMissing = !env.OTP_TOKEN_SECRET?.trim() && !env.OTP_TOKEN_SECRET_ARN?.trim();
  const secretProblem = secretMissing
    ? ["OTP_TOKEN_SECRET: set OTP_TOKEN_SECRET (local) or OTP_TOKEN_SECRET_ARN (Secrets Manager)"]
    : [];
  if (!parsed.success || secretMissing) {
    throw new ConfigError([...describeIssues(parsed.issues ?? [], env), ...secretProblem]);
  }
  const e = parsed.output;
  return {
    stage: e.STAGE,
    otp: {
      length: e.OTP_LENGTH,
      ttlSeconds: e.OTP_TTL_SECONDS,
      maxAttempts: e.OTP_MAX_ATTEMPTS,
      resendCooldownSeconds: e.OTP_RESEND_COOLDOWN_SECONDS,
      maxSendsPerHour: e.OTP_MAX_SENDS_PER_HOUR,
      maxSendsPerIpPerHour: e.OTP_MAX_SENDS_PER_IP_PER_HOUR,
      maxSendsPerCountryPerHour: e.OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR,
      maxSendsPerHourTotal: e.OTP_MAX_SENDS_PER_HOUR_TOTAL,
      fraud: {
        prefixDigits: e.OTP_FRAUD_PREFIX_DIGITS,
        prefix: { minSends: e.OTP_FRAUD_MIN_SENDS, minConversion: e.OTP_FRAUD_MIN_CONVERSION },
        country: {
          minSends: e.OTP_FRAUD_COUNTRY_MIN_SENDS,
          minConversion: e.OTP_FRAUD_COUNTRY_MIN_CONVERSION,
        },
        blockSeconds: e.OTP_FRAUD_BLOCK_SECONDS,
        exemptPrefixes: e.OTP_FRAUD_EXEMPT_PREFIXES,
      },
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
    challenge: { turnstileSiteKey: e.OTP_TURNSTILE_SITE_KEY, turnstileSecretKey: e.OTP_TURNSTILE_SECRET_KEY },
    aws: { tableName: e.TABLE_NAME, region: e.AWS_REGION, endpointUrl: e.AWS_ENDPOINT_URL },
  };
}

// Building blocks for the dev server's and the CDK app's own schemas.
export {
  booleanFlag,
  ConfigError,
  commaList,
  decimal,
  describeIssues,
  oneOf,
  optionalText,
  optionalWhere,
  textOr,
  wholeNumber,
} from "./variables.ts";
