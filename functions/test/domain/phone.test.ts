import fc from "fast-check";
import { type MetadataJson, parsePhoneNumberFromString as parseWith } from "libphonenumber-js/core";
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/mobile";
import examples from "libphonenumber-js/mobile/examples";
import { describe, expect, it } from "vitest";
import { OtpError } from "../../src/domain/errors.ts";
import { maskPhone, parsePhone } from "../../src/domain/phone.ts";
import metadata from "../../src/domain/phone-metadata.json" with { type: "json" };

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

  it.each([
    ["+881612345678", "satellite phone"],
    ["+870773111632", "Inmarsat"],
    ["+882161234567", "international network"],
    ["+80012345678", "universal toll-free"],
    ["+979123456789", "universal premium rate"],
  ])("refuses %s (%s): a number of no country", (input) => {
    try {
      parsePhone(input, open);
    } catch (error) {
      expect(error).toBeInstanceOf(OtpError);
      expect((error as OtpError).code).toBe("country_not_allowed");
      expect((error as OtpError).details).toEqual({ country: "international" });
      return;
    }
    expect.unreachable(`${input} was accepted`);
  });

  it("accepts every country's example mobile number", () => {
    const refused = Object.entries(examples).filter(([country, national]) => {
      const e164 = parsePhoneNumberFromString(national, country as CountryCode)?.number;
      return e164 === undefined || errorCode(() => parsePhone(e164, open)) !== undefined;
    });
    expect(refused).toEqual([]);
    expect(Object.keys(examples).length).toBeGreaterThan(200);
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

describe("the phone metadata (the library's mobile metadata without formatting rules)", () => {
  const ours = metadata as unknown as MetadataJson;
  const facts = (number: ReturnType<typeof parseWith>) =>
    number && {
      number: number.number,
      country: number.country,
      callingCode: number.countryCallingCode,
      possible: number.isPossible(),
      valid: number.isValid(),
      type: number.getType(),
    };

  it("parses any number exactly as the library's mobile metadata does", () => {
    const callingCodes = Object.keys(ours.country_calling_codes);
    fc.assert(
      fc.property(fc.constantFrom(...callingCodes), fc.stringMatching(/^\d{2,13}$/), (code, rest) => {
        const input = `+${code}${rest}`;
        expect(facts(parseWith(input, ours))).toEqual(facts(parsePhoneNumberFromString(input)));
      }),
      { numRuns: 3000 },
    );
  });

  it("parses every country's example mobile number as the library does", () => {
    for (const [country, national] of Object.entries(examples)) {
      const e164 = parsePhoneNumberFromString(national, country as CountryCode)?.number ?? "";
      expect(facts(parseWith(e164, ours)), country).toEqual(facts(parsePhoneNumberFromString(e164)));
    }
  });
});

describe("maskPhone", () => {
  it("masks +14155550123 as +1415*****23", () => {
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
