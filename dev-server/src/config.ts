import { randomBytes } from "node:crypto";
import { z } from "zod";
import { API_THROTTLE } from "#api-contract";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "#functions/config";

/**
 * The dev server's configuration: its own variables (ports, bind address, stage throttle), layered
 * on the functions' schema (functions/src/config.ts), which stays the only judge of every `OTP_*`,
 * `ALLOWED_ORIGINS`, `AWS_ENDPOINT_URL` and `AWS_REGION` rule. Both are checked at boot, before
 * anything starts, and every problem is reported at once in one {@link ConfigError}.
 */

type Env = Readonly<Record<string, string | undefined>>;

function blankToUndefined(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function port(fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = blankToUndefined(raw);
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!/^\d+$/.test(value) || number > 65_535) {
        ctx.addIssue({ code: "custom", message: `must be a port number from 0 to 65535 (got "${value}")` });
        return z.NEVER;
      }
      return number;
    });
}

function limit(options: { fallback: number; max: number; integer: boolean }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = blankToUndefined(raw);
      if (value === undefined) return options.fallback;
      const pattern = options.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
      const number = Number(value);
      if (!pattern.test(value) || number > options.max) {
        const kind = options.integer ? "a whole number" : "a number";
        ctx.addIssue({
          code: "custom",
          message: `must be ${kind} from 0 to ${options.max} (got "${value}")`,
        });
        return z.NEVER;
      }
      return number;
    });
}

const devServerSchema = z.object({
  PORT: port(3000),
  // localhost by default: the server holds a token secret and an inbox of codes, so it is not
  // published on the network unless asked (HOST=0.0.0.0 in a container).
  HOST: z
    .string()
    .optional()
    .transform((raw) => blankToUndefined(raw) ?? "localhost"),
  LOCAL_AWS_PORT: port(4566),
  // Per-second rate and bucket size of the stage throttle; the defaults are the CDK stack's.
  // API Gateway's account quota (10,000 / 5,000) caps what a stage may be given.
  API_THROTTLE_RATE_LIMIT: limit({
    fallback: API_THROTTLE.rateLimit.default,
    max: API_THROTTLE.rateLimit.max,
    integer: false,
  }),
  API_THROTTLE_BURST_LIMIT: limit({
    fallback: API_THROTTLE.burstLimit.default,
    max: API_THROTTLE.burstLimit.max,
    integer: true,
  }),
});

/** Variables the dev server always decides for the functions, whatever the environment says. */
const SERVER_OWNED_FUNCTION_VARIABLES = ["STAGE", "TABLE_NAME", "SMS_CAPTURE_TOPIC_ARN", "AWS_ENDPOINT_URL"];

// Shaped like the real values, so the functions' schema can judge everything else before the
// local stack exists.
const PLACEHOLDERS = {
  TABLE_NAME: "sms-otp-local",
  SMS_CAPTURE_TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:sms-otp-local-sms-capture",
  AWS_ENDPOINT_URL: "http://localhost:4566",
};

export interface DevServerConfig {
  readonly port: number;
  readonly host: string;
  readonly localAwsPort: number;
  /** An emulator (LocalStack) to use instead of the embedded stack; undefined: start the embedded one. */
  readonly externalAwsEndpoint: string | undefined;
  readonly region: string;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Every functions' schema variable the user set (`OTP_*`, `ALLOWED_ORIGINS`, ...), plus
   * `OTP_TOKEN_SECRET`: the given one, or a random one per boot (unless a secret ARN is given).
   */
  readonly functionVariables: Readonly<Record<string, string>>;
  /** Whether `ALLOWED_ORIGINS` was given; when not, it defaults to the server's own origin. */
  readonly allowedOriginsGiven: boolean;
}

/** Local resources and addresses known only once the stack runs and the server listens. */
export interface LocalDeployment {
  readonly tableName: string;
  readonly smsCaptureTopicArn: string;
  readonly awsEndpoint: string;
  /** The origins of the dev server itself (the page's origin). */
  readonly ownOrigins: readonly string[];
}

/**
 * Reads and checks the dev server's environment: its own variables and, through the functions'
 * schema, everything the handlers will read.
 * @throws ConfigError naming every bad variable.
 */
export function loadDevServerConfig(env: Env): DevServerConfig {
  const problems: string[] = [];
  const parsed = devServerSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }

  const functionVariables: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = blankToUndefined(env[name]);
    if (value !== undefined && !SERVER_OWNED_FUNCTION_VARIABLES.includes(name))
      functionVariables[name] = value;
  }
  if (!functionVariables.OTP_TOKEN_SECRET && !functionVariables.OTP_TOKEN_SECRET_ARN) {
    // Tokens from one boot do not verify after a restart; set OTP_TOKEN_SECRET to keep them.
    functionVariables.OTP_TOKEN_SECRET = randomBytes(32).toString("base64url");
  }

  const externalAwsEndpoint = blankToUndefined(env.AWS_ENDPOINT_URL);
  let region = "us-east-1";
  try {
    const functions = loadConfig({
      ...functionVariables,
      ...PLACEHOLDERS,
      ...(externalAwsEndpoint ? { AWS_ENDPOINT_URL: externalAwsEndpoint } : {}),
      STAGE: "local",
    });
    region = functions.aws.region;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const own = parsed.data;
  return {
    port: own.PORT,
    host: own.HOST,
    localAwsPort: own.LOCAL_AWS_PORT,
    externalAwsEndpoint,
    region,
    throttle: { rateLimit: own.API_THROTTLE_RATE_LIMIT, burstLimit: own.API_THROTTLE_BURST_LIMIT },
    functionVariables,
    allowedOriginsGiven: functionVariables.ALLOWED_ORIGINS !== undefined,
  };
}

/**
 * The functions' environment for this boot: what the user set, plus the local stage, the
 * provisioned table and capture topic, the emulator endpoint and, unless given, the server's own
 * origins as the CORS allow list. Checked once more by the functions' schema.
 * @throws ConfigError when the result does not pass the functions' schema.
 */
export function functionEnvironment(config: DevServerConfig, local: LocalDeployment): Record<string, string> {
  const environment: Record<string, string> = {
    ...config.functionVariables,
    STAGE: "local",
    TABLE_NAME: local.tableName,
    SMS_CAPTURE_TOPIC_ARN: local.smsCaptureTopicArn,
    AWS_ENDPOINT_URL: local.awsEndpoint,
    AWS_REGION: config.region,
  };
  if (!config.allowedOriginsGiven) environment.ALLOWED_ORIGINS = local.ownOrigins.join(",");
  loadConfig(environment);
  return environment;
}
