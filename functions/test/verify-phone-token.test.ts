import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JwtTokenSigner } from "../src/adapters/jwt-token-signer.ts";
import { PhoneTokenError, verifyPhoneToken } from "../src/recipes/verify-phone-token.ts";

const secret = "a-downstream-shared-secret-of-48-characters-long!";
const options = { secret, issuer: "sms-otp", audience: "my-app" };

function signer(now: number) {
  return new JwtTokenSigner({ ...options, ttlSeconds: 600 }, { now: () => now });
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
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toMatchObject({
      sub: "+14155550123",
      phone_number_verified: true,
      iss: "sms-otp",
      aud: "my-app",
      amr: ["otp", "sms"],
    });
    expect(payload.exp - payload.iat).toBe(600);
  });

  it.each([
    ["expired", async () => (await signer(Date.now() - 700_000).sign("+14155550123")).token],
    [
      "signed with another secret",
      async () =>
        (
          await new JwtTokenSigner(
            { ...options, secret: `${secret}x`, ttlSeconds: 600 },
            { now: Date.now },
          ).sign("+14155550123")
        ).token,
    ],
    [
      "for another audience",
      async () =>
        (
          await new JwtTokenSigner(
            { ...options, audience: "other", ttlSeconds: 600 },
            { now: Date.now },
          ).sign("+14155550123")
        ).token,
    ],
    [
      "unsigned (alg none)",
      async () =>
        `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"+14155550123","phone_number_verified":true}').toString("base64url")}.`,
    ],
    [
      "without the verified claim",
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
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
