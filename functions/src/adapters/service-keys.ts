import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { OtpConfig } from "../config/config.ts";
import { ServiceUnavailableError } from "../domain/errors.ts";
import { type ServiceKey, serviceKey } from "../domain/keys.ts";
import type { Clock, KeyRing } from "../domain/ports.ts";

/** A key this function has never seen makes it read the secret again, at most this often. */
const REFRESH_INTERVAL_MS = 60_000;
const MIN_SECRET_LENGTH = 32;

/** The secret given directly (`OTP_TOKEN_SECRET`, local stacks): one key, never rotated. */
class StaticKeyRing implements KeyRing {
  readonly #key: ServiceKey;

  constructor(secret: string) {
    this.#key = serviceKey(secret);
  }

  current(): ServiceKey {
    return this.#key;
  }

  async find(kid: string | undefined): Promise<ServiceKey | undefined> {
    return kid === undefined || kid === this.#key.kid ? this.#key : undefined;
  }
}

/**
 * The secret in Secrets Manager, which rotates (infra: every 30 days): the AWSCURRENT version,
 * and with `previous` also AWSPREVIOUS, read at cold start. After a rotation, a warm function may
 * meet a code hashed with the new key; it then reads both versions again (once a minute at most).
 */
class SecretsManagerKeyRing implements KeyRing {
  readonly #client: () => SecretsManagerClient;
  readonly #arn: string;
  readonly #previous: boolean;
  readonly #clock: Clock;
  #keys: { current: ServiceKey; previous: ServiceKey | undefined } | undefined;
  #refreshedAt = 0;

  constructor(client: () => SecretsManagerClient, arn: string, previous: boolean, clock: Clock) {
    this.#client = client;
    this.#arn = arn;
    this.#previous = previous;
    this.#clock = clock;
  }

  async load(): Promise<void> {
    const now = this.#clock.now();
    const [current, previous] = await Promise.all([
      this.#read("AWSCURRENT"),
      this.#previous ? this.#read("AWSPREVIOUS") : undefined,
    ]);
    if (current === undefined)
      throw new ServiceUnavailableError("The service secret has no current version.");
    this.#keys = {
      current: serviceKey(current),
      previous: previous === undefined ? undefined : serviceKey(previous),
    };
    this.#refreshedAt = now;
  }

  current(): ServiceKey {
    if (!this.#keys) throw new Error("the key ring was not loaded");
    return this.#keys.current;
  }

  async find(kid: string | undefined): Promise<ServiceKey | undefined> {
    const known = this.#known(kid);
    if (known || this.#clock.now() - this.#refreshedAt < REFRESH_INTERVAL_MS) return known;
    await this.load();
    return this.#known(kid);
  }

  #known(kid: string | undefined): ServiceKey | undefined {
    const keys = this.#keys;
    if (!keys || kid === undefined) return keys?.current;
    return [keys.current, keys.previous].find((key) => key?.kid === kid);
  }

  async #read(stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<string | undefined> {
    try {
      const result = await this.#client().send(
        new GetSecretValueCommand({ SecretId: this.#arn, VersionStage: stage }),
      );
      if (!result.SecretString || result.SecretString.length < MIN_SECRET_LENGTH) {
        throw new Error(
          `the secret's ${stage} version must be a string of at least ${MIN_SECRET_LENGTH} characters`,
        );
      }
      return result.SecretString;
    } catch (error) {
      // Never rotated yet: there is no previous version, and nothing to look for.
      if (stage === "AWSPREVIOUS" && error instanceof ResourceNotFoundException) return undefined;
      throw new ServiceUnavailableError("The service secret could not be read.", { cause: error });
    }
  }
}

/**
 * The service's keys: given directly in local stacks, read from Secrets Manager in AWS (the client
 * is made only then). `previous`: also the version before the last rotation (validate needs it
 * for the codes issued just before; generate does not).
 */
export async function loadKeyRing(
  token: OtpConfig["token"],
  secretsClient: () => SecretsManagerClient,
  options: { readonly previous: boolean; readonly clock: Clock },
): Promise<KeyRing> {
  if (token.secret) return new StaticKeyRing(token.secret);
  if (!token.secretArn) throw new Error("OTP_TOKEN_SECRET or OTP_TOKEN_SECRET_ARN must be set");
  const ring = new SecretsManagerKeyRing(secretsClient, token.secretArn, options.previous, options.clock);
  await ring.load();
  return ring;
}
