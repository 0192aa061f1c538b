import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodeHasher, generateCode } from "../../src/domain/code.ts";

describe("generateCode", () => {
  it("always gives exactly `length` decimal digits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 10 }), (length) => {
        expect(generateCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
      }),
    );
  });

  it("keeps leading zeros and uses every digit (uniform draw per position)", () => {
    const codes = Array.from({ length: 3000 }, () => generateCode(4));
    // With 3000 draws the chance that no code starts with 0 is 0.9^3000: never, unless zeros are dropped.
    expect(codes.some((code) => code.startsWith("0"))).toBe(true);
    const digits = new Set(codes.join(""));
    expect(digits.size).toBe(10);
  });
});

describe("CodeHasher", () => {
  const hasher = new CodeHasher("a-service-secret-that-is-long-enough");

  it("never contains the code and binds the phone", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), (code) => {
        const hash = hasher.hash("+14155550123", code);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hash).not.toContain(code);
        expect(hasher.hash("+14155550124", code)).not.toBe(hash);
      }),
      { numRuns: 200 },
    );
  });

  it("matches only the right code for the right phone", () => {
    const stored = hasher.hash("+14155550123", "012345");
    expect(hasher.matches("+14155550123", "012345", stored)).toBe(true);
    expect(hasher.matches("+14155550123", "12345", stored)).toBe(false);
    expect(hasher.matches("+14155550124", "012345", stored)).toBe(false);
    expect(hasher.matches("+14155550123", "012345", "not-hex")).toBe(false);
  });

  it("depends on the server secret", () => {
    const other = new CodeHasher("another-service-secret-that-is-long");
    expect(other.hash("+14155550123", "012345")).not.toBe(hasher.hash("+14155550123", "012345"));
  });
});
