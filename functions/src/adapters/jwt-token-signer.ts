import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Clock, TokenSigner, VerificationToken } from "../domain/ports.ts";

export interface JwtOptions {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** The signing algorithm; downstream verifiers must pin it (never trust the token's `alg`). */
const TOKEN_ALGORITHM = "HS256";

/**
 * Signs the verification token: an HS256 JWT whose key is the UTF-8 bytes of the service secret.
 * Claims: sub (E.164 phone), phone_number_verified, amr, iat, exp, iss, aud, jti.
 */
export class JwtTokenSigner implements TokenSigner {
  readonly #key: Uint8Array;
  readonly #options: JwtOptions;
  readonly #clock: Clock;

  constructor(options: JwtOptions, clock: Clock) {
    this.#key = new TextEncoder().encode(options.secret);
    this.#options = options;
    this.#clock = clock;
  }

  async sign(phone: string): Promise<VerificationToken> {
    const issuedAt = Math.floor(this.#clock.now() / 1000);
    const token = await new SignJWT({ phone_number_verified: true, amr: ["otp", "sms"] })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: "JWT" })
      .setSubject(phone)
      .setIssuer(this.#options.issuer)
      .setAudience(this.#options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.#options.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
    return { token, expiresIn: this.#options.ttlSeconds };
  }
}
