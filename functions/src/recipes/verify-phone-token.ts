import { errors, jwtVerify } from "jose";

/**
 * The recipe for a downstream backend: verify the token `POST /validate` returned before trusting
 * the phone number in it. Copy this function (it needs only `jose`) and give it the same secret
 * the service signs with (the Secrets Manager secret CDK created), issuer and audience.
 */
export interface PhoneTokenOptions {
  readonly secret: string;
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

/**
 * Verifies signature (HS256 only: the algorithm is pinned, never read from the token), expiry,
 * issuer, audience and the phone claims.
 * @throws PhoneTokenError when the token is not valid.
 */
export async function verifyPhoneToken(token: string, options: PhoneTokenOptions): Promise<VerifiedPhone> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
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
