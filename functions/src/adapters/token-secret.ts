import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { OtpConfig } from "../config/config.ts";
import { ServiceUnavailableError } from "../domain/errors.ts";

/**
 * The service secret (token signing key, code-hash key): given directly in local stacks, read
 * from Secrets Manager once per cold start in AWS (the client is only made then).
 */
export async function resolveServiceSecret(
  token: OtpConfig["token"],
  secretsClient: () => SecretsManagerClient,
): Promise<string> {
  if (token.secret) return token.secret;
  if (!token.secretArn) throw new Error("OTP_TOKEN_SECRET or OTP_TOKEN_SECRET_ARN must be set");
  try {
    const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: token.secretArn }));
    if (!result.SecretString || result.SecretString.length < 32) {
      throw new Error("the secret must be a string of at least 32 characters");
    }
    return result.SecretString;
  } catch (error) {
    throw new ServiceUnavailableError("The service secret could not be read.", { cause: error });
  }
}
