import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";

/** A code of `length` decimal digits from the CSPRNG; leading zeros are kept. */
export function generateCode(length: number): string {
  let code = "";
  for (let i = 0; i < length; i++) code += randomInt(0, 10).toString();
  return code;
}

/** A random identifier for one issued code. */
export function newCodeId(): string {
  return randomUUID();
}

/**
 * Hashes codes so that no plaintext code is ever stored: HMAC-SHA256 over (phone, code) under a
 * key derived from the service secret. Binding the phone means a hash copied from one record is
 * useless for another, and the server-side key stops offline guessing of the short code space.
 */
export class CodeHasher {
  readonly #key: Buffer;

  constructor(secret: string) {
    // A purpose-bound subkey: the same secret also signs tokens, and the two uses must not mix.
    this.#key = createHmac("sha256", secret).update("sms-otp/code-hash/v1").digest();
  }

  /** Hex HMAC of the phone and code. */
  hash(phone: string, code: string): string {
    return createHmac("sha256", this.#key).update(`${phone}\u0000${code}`).digest("hex");
  }

  /** Constant-time comparison of a candidate code against a stored hash. */
  matches(phone: string, code: string, storedHash: string): boolean {
    const candidate = Buffer.from(this.hash(phone, code), "hex");
    const stored = Buffer.from(storedHash, "hex");
    return candidate.length === stored.length && timingSafeEqual(candidate, stored);
  }
}
