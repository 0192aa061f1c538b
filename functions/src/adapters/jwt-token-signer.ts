import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Clock, KeyRing, TokenSigner, VerificationToken } from "../domain/ports.ts";

export interface JwtOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** The signing algorithm; downstream verifiers must pin it (never trust the token's `alg`). */
const TOKEN_ALGORITHM = "HS256";

/**
 * Signs the verification token: an HS256 JWT whose key is the UTF-8 bytes of the current version
 * of the service secret, named in the `kid` header (after a rotation, backends holding the
 * current and the previous version pick the right one). Claims: sub (E.164 phone),
 * phone_number_verified, amr, iat, exp, iss, aud, jti.
 */
export class JwtTokenSigner implements TokenSigner {
  readonly #keys: KeyRing;
  readonly #options: JwtOptions;
  readonly #clock: Clock;

  constructor(keys: KeyRing, options: JwtOptions, clock: Clock) {
    this.#keys = keys;
    this.#options = options;
    this.#clock = clock;
  }

  async sign(phone: string): Promise<VerificationToken> {
    const key = this.#keys.current();
    const issuedAt = Math.floor(this.#clock.now() / 1000);
    const token = await new SignJWT({ phone_number_verified: true, amr: ["otp", "sms"] })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: "JWT", kid: key.kid })
      .setSubject(phone)
      .setIssuer(this.#options.issuer)
      .setAudience(this.#options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.#options.ttlSeconds)
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(key.secret));
    return { token, expiresIn: this.#options.ttlSeconds };
  }
}
