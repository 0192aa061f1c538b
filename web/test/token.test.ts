import { describe, expect, it } from "vitest";
import { decodeTokenClaims } from "../src/token.ts";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("decodeTokenClaims", () => {
  it("reads the payload of a JWT, including non-ASCII text", () => {
    const claims = { sub: "+14155550123", phone_number_verified: true, iss: "sms-otp", note: "café ✓" };
    const token = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(claims)}.signature`;
    expect(decodeTokenClaims(token)).toEqual(claims);
  });

  it.each(["", "abc", "a..c", "a.!!!.c", `a.${base64url([1, 2])}.c`, `a.${base64url("text")}.c`])(
    "returns undefined for %j",
    (token) => {
      expect(decodeTokenClaims(token)).toBeUndefined();
    },
  );
});
