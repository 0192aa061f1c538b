import { Token } from "aws-cdk-lib";
import { CONFIG_VARIABLES, ConfigError, loadConfig, type OtpConfig } from "#functions/config";
import type { DeployStage } from "./settings.ts";

/** Variables outside the shared schema that every function gets. */
export const RUNTIME_VARIABLES = ["POWERTOOLS_SERVICE_NAME"] as const;

export interface FunctionEnvironmentInput {
  readonly stage: DeployStage;
  readonly serviceName: string;
  readonly tableName: string;
  readonly tokenSecretArn: string;
  /** Site origin first (prod), then the origins given in context. */
  readonly allowedOrigins: readonly string[];
  /** Local stage only: SMS go to this topic instead of to phones. */
  readonly smsCaptureTopicArn: string | undefined;
  /** `OTP_*` variables from context, passed as given. */
  readonly passthrough: Readonly<Record<string, string>>;
}

/**
 * Builds the Lambda environment from the shared config names. `ALLOWED_ORIGINS` is the merged
 * list (the stack's own site origin plus any from context), not the raw context value.
 */
export function buildFunctionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  const { ALLOWED_ORIGINS: _fromContext, ...otpVariables } = input.passthrough;
  const environment: Record<string, string> = {
    ...otpVariables,
    STAGE: input.stage,
    TABLE_NAME: input.tableName,
    OTP_TOKEN_SECRET_ARN: input.tokenSecretArn,
    ALLOWED_ORIGINS: input.allowedOrigins.join(","),
    POWERTOOLS_SERVICE_NAME: input.serviceName,
  };
  if (input.smsCaptureTopicArn !== undefined) environment.SMS_CAPTURE_TOPIC_ARN = input.smsCaptureTopicArn;

  const unknown = Object.keys(environment).filter(
    (name) => !CONFIG_VARIABLES.includes(name) && !(RUNTIME_VARIABLES as readonly string[]).includes(name),
  );
  if (unknown.length > 0) throw new Error(`Not in the shared config schema: ${unknown.join(", ")}`);
  return environment;
}

// How CDK encodes an unresolved token inside a string.
const ENCODED_TOKEN = /\$\{Token\[[^\]]*\]\}/g;
const ARN_PLACEHOLDER = "arn:aws:placeholder:us-east-1:000000000000:placeholder";

/** Replaces deploy-time tokens with values of the right shape, so the schema can judge the rest. */
function withPlaceholders(environment: Readonly<Record<string, string>>): Record<string, string> {
  const concrete: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (!Token.isUnresolved(value)) {
      concrete[name] = value;
    } else if (name.endsWith("_ARN")) {
      concrete[name] = ARN_PLACEHOLDER;
    } else {
      concrete[name] = value.replace(ENCODED_TOKEN, "placeholder");
    }
  }
  return concrete;
}

/**
 * Runs the functions' own config schema over the environment at synth time, so a bad context
 * value fails `cdk synth` (naming the variable) instead of every cold start after the deploy.
 * @throws Error listing each bad variable.
 */
export function validateFunctionEnvironment(environment: Readonly<Record<string, string>>): OtpConfig {
  try {
    return loadConfig(withPlaceholders(environment));
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new Error(
        `The function environment fails the shared config schema (fix the CDK context value of the same name):\n${error.problems
          .map((problem) => `  - ${problem}`)
          .join("\n")}`,
      );
    }
    throw error;
  }
}
