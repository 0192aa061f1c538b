import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OtpError } from "../../src/domain/errors.ts";
import { maskPhone, parsePhone } from "../../src/domain/phone.ts";

const open = { allowedCountries: [], testNumbers: new Map<string, string>() };

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof OtpError) return error.code;
    throw error;
  }
  return undefined;
}

describe("parsePhone", () => {
  it.each([
    ["+14155550123", "US"],
    ["+447400123456", "GB"],
    ["+61491570156", "AU"],
    ["+16135550123", "CA"],
  ])("accepts %s (%s)", (input, country) => {
    expect(parsePhone(input, open)).toMatchObject({ e164: input, country });
  });

  it.each([
    "14155550123", // no +
    "+1 415 555 0123", // spaces are not E.164
    "+1-415-555-0123",
    "+04155550123",
    "+1415555012345678", // too long
    "+1",
    "+12345", // E.164 shape but not a valid number
    "+19999999999",
    "tel:+14155550123",
    "",
  ])("refuses %j as invalid_phone", (input) => {
    expect(errorCode(() => parsePhone(input, open))).toBe("invalid_phone");
  });

  it.each([
    ["+14155550123x", "format"],
    ["+9991234567", "format"], // no country uses +999
    ["+4479", "length"],
    ["+44740012345678", "length"],
    ["+442079460958", "not_mobile"], // London fixed line
    ["+18005550100", "not_mobile"], // US toll-free
    ["+449098790000", "not_mobile"], // GB premium rate
    ["+4930123456", "not_mobile"], // Berlin fixed line
    ["+33142685300", "not_mobile"], // Paris fixed line
    ["+61212345678", "not_mobile"], // Sydney fixed line
  ])("refuses %s with reason %s", (input, reason) => {
    try {
      parsePhone(input, open);
    } catch (error) {
      expect(error).toBeInstanceOf(OtpError);
      expect((error as OtpError).details).toEqual({ reason });
      return;
    }
    expect.unreachable(`${input} was accepted`);
  });

  it.each([
    ["+447400123456", "GB"],
    ["+4915112345678", "DE"],
    ["+33612345678", "FR"],
    ["+919876543210", "IN"],
  ])("accepts the mobile %s (%s)", (input, country) => {
    expect(parsePhone(input, open)).toMatchObject({ e164: input, country });
  });

  it("names the country calling code (the start of every range)", () => {
    expect(parsePhone("+447400123456", open).callingCode).toBe("44");
    expect(parsePhone("+14155550123", open).callingCode).toBe("1");
  });

  it("applies the country allow list", () => {
    const policy = { allowedCountries: ["US", "CA"], testNumbers: new Map<string, string>() };
    expect(parsePhone("+14155550123", policy).country).toBe("US");
    expect(parsePhone("+16135550123", policy).country).toBe("CA");
    expect(errorCode(() => parsePhone("+447400123456", policy))).toBe("country_not_allowed");
  });

  it("accepts configured test numbers without metadata checks", () => {
    const policy = { allowedCountries: ["GB"], testNumbers: new Map([["+15005550006", "123456"]]) };
    expect(parsePhone("+15005550006", policy)).toEqual({
      e164: "+15005550006",
      country: undefined,
      callingCode: undefined,
    });
  });
});

describe("maskPhone", () => {
  it("masks like the design says", () => {
    expect(maskPhone("+14155550123")).toBe("+1415*****23");
  });

  it("never shows more than the first five and last two characters", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{7,14}$/), (phone) => {
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(phone.length);
        expect(masked.slice(5, -2)).toMatch(/^\*+$/);
      }),
    );
  });
});
