import { createHash } from "node:crypto";
import { CodeHasher } from "./code.ts";

/**
 * One version of the service secret, as the domain uses it: its id, the key that signs tokens and
 * the key that hashes codes (derived from it).
 */
export interface ServiceKey {
  /** A short public id of the key (in each token's `kid` header and beside each stored code). */
  readonly kid: string;
  readonly secret: string;
  readonly hasher: CodeHasher;
}

/**
 * The id of a secret: a truncated SHA-256 under its own label, so it names a key without
 * revealing anything of it. Backends compute the same id to pick the key a token names.
 */
export function keyId(secret: string): string {
  return createHash("sha256").update(`sms-otp/key-id/v1\u0000${secret}`).digest("base64url").slice(0, 16);
}

export function serviceKey(secret: string): ServiceKey {
  return { kid: keyId(secret), secret, hasher: new CodeHasher(secret) };
}
