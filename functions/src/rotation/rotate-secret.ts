import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { SecretsManagerRotationEvent } from "aws-lambda";
import { isServiceSecretValue, SERVICE_SECRET_FORM } from "./secret-form.ts";

/** Where the steps say what they did: never the secret value, only ids and labels. */
export interface RotationLog {
  info(message: string, fields: Readonly<Record<string, string>>): void;
}

export interface RotationDependencies {
  readonly secrets: SecretsManagerClient;
  readonly log: RotationLog;
}

/** The rotation cannot go on; Secrets Manager records the failed step and retries the rotation. */
export class RotationError extends Error {
  override readonly name = "RotationError";
}

type VersionStages = Readonly<Record<string, readonly string[]>>;

/**
 * One step of a Secrets Manager rotation of the service secret (single-secret strategy: no other
 * system holds a copy, so there is nothing to change outside Secrets Manager). Secrets Manager
 * calls the steps in order with the same ClientRequestToken (the new version's id) and retries
 * them, so each step first checks what is already done:
 *
 * - createSecret: stores a new random value as version `token`, staged AWSPENDING, unless it exists;
 * - setSecret: nothing to do;
 * - testSecret: checks that the pending value has the service secret's form;
 * - finishSecret: moves AWSCURRENT to it (Secrets Manager then moves AWSPREVIOUS to the old one).
 *
 * @throws RotationError when rotation is off, the token is not this secret's pending version, or
 *   the pending value fails the test.
 */
export async function rotateSecret(
  event: SecretsManagerRotationEvent,
  { secrets, log }: RotationDependencies,
): Promise<void> {
  const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
  const fields = { step, secretId, versionId: token };
  const description = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!description.RotationEnabled) throw new RotationError(`Rotation is not enabled for ${secretId}.`);
  const versions: VersionStages = description.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new RotationError(`${token} is not a version of ${secretId}.`);
  if (stages.includes("AWSCURRENT")) {
    log.info("The version is already current: nothing to do", fields);
    return;
  }
  if (!stages.includes("AWSPENDING")) {
    throw new RotationError(`${token} is not the pending version of ${secretId}.`);
  }

  switch (step) {
    case "createSecret":
      await createSecret(secrets, secretId, token);
      break;
    case "setSecret":
      break;
    case "testSecret":
      await testSecret(secrets, secretId, token);
      break;
    case "finishSecret":
      await finishSecret(secrets, secretId, token, versions);
      break;
    default:
      throw new RotationError(`Unknown rotation step "${String(step)}".`);
  }
  log.info("Rotation step done", fields);
}

async function createSecret(secrets: SecretsManagerClient, secretId: string, token: string): Promise<void> {
  // Fails, as it should, if the secret has no current value to rotate from.
  await secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: "AWSCURRENT" }));
  if (await pendingValue(secrets, secretId, token)) return;
  const { RandomPassword: value } = await secrets.send(
    new GetRandomPasswordCommand({
      PasswordLength: SERVICE_SECRET_FORM.length,
      ExcludePunctuation: SERVICE_SECRET_FORM.excludePunctuation,
      IncludeSpace: SERVICE_SECRET_FORM.includeSpace,
    }),
  );
  if (!value) throw new RotationError("Secrets Manager returned no random value.");
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: value,
      VersionStages: ["AWSPENDING"],
    }),
  );
}

async function testSecret(secrets: SecretsManagerClient, secretId: string, token: string): Promise<void> {
  const value = await pendingValue(secrets, secretId, token);
  if (value === undefined || !isServiceSecretValue(value)) {
    throw new RotationError(
      `The pending value of ${secretId} is not ${SERVICE_SECRET_FORM.length} letters and digits.`,
    );
  }
}

async function finishSecret(
  secrets: SecretsManagerClient,
  secretId: string,
  token: string,
  versions: VersionStages,
): Promise<void> {
  const current = Object.keys(versions).find((versionId) => versions[versionId]?.includes("AWSCURRENT"));
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: "AWSCURRENT",
      MoveToVersionId: token,
      ...(current ? { RemoveFromVersionId: current } : {}),
    }),
  );
}

/** The value stored as version `token` in AWSPENDING, or undefined while there is none. */
async function pendingValue(
  secrets: SecretsManagerClient,
  secretId: string,
  token: string,
): Promise<string | undefined> {
  try {
    const result = await secrets.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: "AWSPENDING" }),
    );
    return result.SecretString;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
