import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JwtTokenSigner } from "../src/adapters/jwt-token-signer.ts";
import { keyId, serviceKey } from "../src/domain/keys.ts";
import type { KeyRing } from "../src/domain/ports.ts";
import { keyIdOf, PhoneTokenError, verifyPhoneToken } from "../src/recipes/verify-phone-token.ts";

const secret = "a-downstream-shared-secret-of-48-characters-long!";
const rotated = "the-next-version-of-the-secret-after-a-rotation!!";
const options = { secrets: [secret], issuer: "sms-otp", audience: "my-app" };

/** Keys whose current version the test can change: a rotation. */
function ring(initial: string): KeyRing & { rotate(next: string): void } {
  let current = serviceKey(initial);
  return {
    current: () => current,
    find: async (kid) => (kid === undefined || kid === current.kid ? current : undefined),
    rotate: (next) => {
      current = serviceKey(next);
    },
  };
}

function signer(now: number, keys: KeyRing = ring(secret), audience = "my-app") {
  return new JwtTokenSigner(keys, { issuer: "sms-otp", audience, ttlSeconds: 600 }, { now: () => now });
}

describe("verification token and the downstream recipe", () => {
  it("round-trips: the service signs, a backend verifies with jose", async () => {
    const { token, expiresIn } = await signer(Date.now()).sign("+14155550123");
    expect(expiresIn).toBe(600);
    const verified = await verifyPhoneToken(token, options);
    expect(verified.phone).toBe("+14155550123");
    expect(verified.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toEqual({ alg: "HS256", typ: "JWT", kid: keyId(secret) });
    expect(payload).toMatchObject({
      sub: "+14155550123",
      phone_number_verified: true,
      iss: "sms-otp",
      aud: "my-app",
      amr: ["otp", "sms"],
    });
    expect(payload.exp - payload.iat).toBe(600);
  });

  it("computes the same key id as the service (the copied recipe must not drift)", () => {
    expect(keyIdOf(secret)).toBe(keyId(secret));
    expect(keyIdOf(rotated)).not.toBe(keyIdOf(secret));
    expect(keyIdOf(secret)).not.toContain(secret.slice(0, 8));
  });

  it("verifies tokens signed before and after a rotation with the current and previous versions", async () => {
    const keys = ring(secret);
    const before = (await signer(Date.now(), keys).sign("+14155550123")).token;
    keys.rotate(rotated);
    const after = (await signer(Date.now(), keys).sign("+14155550123")).token;
    const both = { ...options, secrets: [rotated, secret] };
    await expect(verifyPhoneToken(before, both)).resolves.toMatchObject({ phone: "+14155550123" });
    await expect(verifyPhoneToken(after, both)).resolves.toMatchObject({ phone: "+14155550123" });
    // Two rotations later the oldest version is gone: its tokens (expired anyway) are refused.
    await expect(verifyPhoneToken(before, { ...options, secrets: [rotated] })).rejects.toBeInstanceOf(
      PhoneTokenError,
    );
  });

  it.each([
    ["expired", async () => (await signer(Date.now() - 700_000).sign("+14155550123")).token],
    [
      "signed with another secret",
      async () => (await signer(Date.now(), ring(`${secret}x`)).sign("+14155550123")).token,
    ],
    [
      "for another audience",
      async () => (await signer(Date.now(), ring(secret), "other").sign("+14155550123")).token,
    ],
    [
      "unsigned (alg none)",
      async () =>
        `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"+14155550123","phone_number_verified":true}').toString("base64url")}.`,
    ],
    [
      "naming the right key but signed with another",
      async () =>
        new SignJWT({ phone_number_verified: true })
          .setProtectedHeader({ alg: "HS256", kid: keyId(secret) })
          .setSubject("+14155550123")
          .setIssuer("sms-otp")
          .setAudience("my-app")
          .setIssuedAt()
          .setExpirationTime("5m")
          .setJti("x")
          .sign(new TextEncoder().encode(rotated)),
    ],
    [
      "without the verified claim",
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256", kid: keyId(secret) })
          .setSubject("+14155550123")
          .setIssuer("sms-otp")
          .setAudience("my-app")
          .setIssuedAt()
          .setExpirationTime("5m")
          .setJti("x")
          .sign(new TextEncoder().encode(secret)),
    ],
    ["garbage", async () => "not.a.token"],
  ])("refuses a token %s", async (_case, makeToken) => {
    await expect(verifyPhoneToken(await makeToken(), options)).rejects.toBeInstanceOf(PhoneTokenError);
  });
});
