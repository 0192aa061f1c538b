import { randomBytes } from "node:crypto";
import * as v from "valibot";
import { API_THROTTLE, type ThrottleLimits } from "#api-contract";
import {
  CONFIG_VARIABLES,
  ConfigError,
  decimal,
  describeIssues,
  loadConfig,
  textOr,
  wholeNumber,
} from "#functions/config";

/**
 * The dev server's configuration: its own variables (ports, bind address, stage throttle), layered
 * on the functions' schema (#functions/config), which stays the only judge of every `OTP_*`,
 * `ALLOWED_ORIGINS`, `AWS_ENDPOINT_URL` and `AWS_REGION` rule. Both are checked at boot, before
 * anything starts, and every problem is reported at once in one {@link ConfigError}.
 */

type Env = Readonly<Record<string, string | undefined>>;

const devServerSchema = v.object({
  PORT: wholeNumber(0, 65_535, 3000),
  // localhost by default: the server holds a token secret and an inbox of codes, so it is not
  // published on the network unless asked (HOST=0.0.0.0 in a container).
  HOST: textOr("localhost"),
  LOCAL_AWS_PORT: wholeNumber(0, 65_535, 4566),
  // The stage throttle, as the CDK stack reads it from context: same names, bounds and defaults.
  API_THROTTLE_RATE_LIMIT: decimal(1, API_THROTTLE.rateLimit.max, API_THROTTLE.rateLimit.default),
  API_THROTTLE_BURST_LIMIT: wholeNumber(1, API_THROTTLE.burstLimit.max, API_THROTTLE.burstLimit.default),
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
  readonly throttle: ThrottleLimits;
  /**
   * Every functions' schema variable the user set (`OTP_*`, `ALLOWED_ORIGINS`, ...), plus
   * `OTP_TOKEN_SECRET`: the given one, or a random one per boot (unless a secret ARN is given).
   */
  readonly functionVariables: Readonly<Record<string, string>>;
  /** Whether `ALLOWED_ORIGINS` was given; when not, it defaults to the server's own origin. */
  readonly allowedOriginsGiven: boolean;
  /** What the page reads from `/config.json` besides the API's address. */
  readonly page: { readonly turnstileSiteKey: string | undefined };
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
  const parsed = v.safeParse(devServerSchema, env);
  const problems = parsed.success ? [] : describeIssues(parsed.issues, env);

  const functionVariables: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]?.trim() || undefined;
    if (value !== undefined && !SERVER_OWNED_FUNCTION_VARIABLES.includes(name))
      functionVariables[name] = value;
  }
  if (!functionVariables.OTP_TOKEN_SECRET && !functionVariables.OTP_TOKEN_SECRET_ARN) {
    // Tokens from one boot do not verify after a restart; set OTP_TOKEN_SECRET to keep them.
    functionVariables.OTP_TOKEN_SECRET = randomBytes(32).toString("base64url");
  }

  // Judged by the functions' schema below, which reads the same variable.
  const externalAwsEndpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  let region = "us-east-1";
  let turnstileSiteKey: string | undefined;
  try {
    const functions = loadConfig({
      ...functionVariables,
      ...PLACEHOLDERS,
      ...(externalAwsEndpoint ? { AWS_ENDPOINT_URL: externalAwsEndpoint } : {}),
      STAGE: "local",
    });
    region = functions.aws.region;
    turnstileSiteKey = functions.challenge.turnstileSiteKey;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const own = parsed.output;
  return {
    port: own.PORT,
    host: own.HOST,
    localAwsPort: own.LOCAL_AWS_PORT,
    externalAwsEndpoint,
    region,
    throttle: { rateLimit: own.API_THROTTLE_RATE_LIMIT, burstLimit: own.API_THROTTLE_BURST_LIMIT },
    functionVariables,
    allowedOriginsGiven: functionVariables.ALLOWED_ORIGINS !== undefined,
    page: { turnstileSiteKey },
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
