import { createHash } from "node:crypto";
import { decodeProtectedHeader, errors, jwtVerify } from "jose";

/**
 * The recipe for a downstream backend: verify the token `POST /validate` returned before trusting
 * the phone number in it. Copy this file (it needs only `jose` and Node's crypto) and give it the
 * versions of the service secret (in AWS: the Secrets Manager secret CDK created, which rotates;
 * pass its AWSCURRENT and AWSPREVIOUS versions so tokens signed just before a rotation still
 * verify), the issuer and the audience.
 */
export interface PhoneTokenOptions {
  /** The service secret's versions, current first (one is enough where it never rotates). */
  readonly secrets: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew tolerated between this server and the service. */
  readonly clockToleranceSeconds?: number;
}

export interface VerifiedPhone {
  /** The verified number, E.164. */
  readonly phone: string;
  /** Unique token id: store it until `expiresAt` to accept each token once. */
  readonly tokenId: string;
  readonly expiresAt: Date;
}

/** Thrown for any token that must not be trusted (bad signature, expired, wrong claims). */
export class PhoneTokenError extends Error {
  override readonly name = "PhoneTokenError";
}

/** The service's id for a secret (the token's `kid`): a truncated SHA-256 under its own label. */
export function keyIdOf(secret: string): string {
  return createHash("sha256").update(`sms-otp/key-id/v1\u0000${secret}`).digest("base64url").slice(0, 16);
}

/**
 * Verifies signature (HS256 only: the algorithm is pinned, never read from the token) with the
 * secret version its `kid` names, expiry, issuer, audience and the phone claims.
 * @throws PhoneTokenError when the token is not valid.
 */
export async function verifyPhoneToken(token: string, options: PhoneTokenOptions): Promise<VerifiedPhone> {
  try {
    const { kid } = decodeProtectedHeader(token);
    const secret = options.secrets.find((candidate) => keyIdOf(candidate) === kid);
    if (secret === undefined)
      throw new PhoneTokenError("the token was signed with a key this backend does not hold");
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ["sub", "exp", "iat", "jti"],
      clockTolerance: options.clockToleranceSeconds ?? 5,
    });
    if (payload.phone_number_verified !== true || !/^\+[1-9]\d{1,14}$/.test(payload.sub ?? "")) {
      throw new PhoneTokenError("the token does not carry a verified phone number");
    }
    return {
      phone: payload.sub as string,
      tokenId: payload.jti as string,
      expiresAt: new Date((payload.exp as number) * 1000),
    };
  } catch (error) {
    if (error instanceof PhoneTokenError) throw error;
    const reason = error instanceof errors.JOSEError ? error.code : "malformed";
    throw new PhoneTokenError(`invalid phone token (${reason})`, { cause: error });
  }
}
