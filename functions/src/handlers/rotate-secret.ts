import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretsManagerRotationEvent } from "aws-lambda";
import { createLogger } from "../commons/logger.ts";
import { rotateSecret } from "../rotation/rotate-secret.ts";

// Built once per cold start; region and credentials come from the Lambda environment.
const secrets = new SecretsManagerClient({});
const log = createLogger("sms-otp-rotate-secret");

/** Secrets Manager's rotation of the service secret: one step per invocation. */
export const handler = (event: SecretsManagerRotationEvent): Promise<void> =>
  rotateSecret(event, { secrets, log });
