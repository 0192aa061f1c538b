import { describe, expect, it } from "vitest";
import { COUNTRIES, guessCountry, normalisePhone, OTHER_COUNTRY } from "../src/phone.ts";

describe("normalisePhone", () => {
  it.each([
    ["(415) 555-0123", "US", "+14155550123"],
    ["415.555.0123", "US", "+14155550123"],
    ["1 415 555 0123", "US", "+14155550123"],
    ["  415 555 0123  ", "CA", "+14155550123"],
    ["07700 900123", "GB", "+447700900123"],
    ["7700 900123", "GB", "+447700900123"],
    ["030 123456789", "DE", "+4930123456789"],
    ["06 12 34 56 78", "FR", "+33612345678"],
    ["02 1234 5678", "IT", "+390212345678"],
    ["612 345 678", "ES", "+34612345678"],
  ])("%s in %s becomes %s", (input, country, expected) => {
    expect(normalisePhone(input, country)).toEqual({ ok: true, e164: expected });
  });

  it.each([
    ["+44 7700 900123", "US", "+447700900123"],
    ["+44 (0)20 7946 0958", "US", "+442079460958"],
    ["+44 020 7946 0958", "US", "+442079460958"],
    ["0044 7700 900123", "FR", "+447700900123"],
    ["011 44 7700 900123", "US", "+447700900123"],
    ["+39 02 1234 5678", "GB", "+390212345678"],
    ["+1-415-555-0123", OTHER_COUNTRY, "+14155550123"],
  ])("international %s ignores the selected country (%s)", (input, country, expected) => {
    expect(normalisePhone(input, country)).toEqual({ ok: true, e164: expected });
  });

  it("keeps leading zeros that belong to the number instead of turning it into a number type", () => {
    // Parsing the number as an integer would drop the + and leading zeros; strings keep every digit.
    expect(normalisePhone("+390612345678", OTHER_COUNTRY)).toEqual({ ok: true, e164: "+390612345678" });
  });

  it.each([
    ["", "US", "empty"],
    ["   ", "US", "empty"],
    ["415-CALL-NOW", "US", "characters"],
    ["+1 415 555 0123 ext 4", "US", "characters"],
    ["---", "US", "characters"],
    ["4155550123", OTHER_COUNTRY, "needs_country_code"],
    ["555 01", "US", "too_short"],
    ["+1 234", "US", "too_short"],
    ["+1 234 567 890 123 456", "US", "too_long"],
  ])("refuses %j in %j as %s", (input, country, problem) => {
    expect(normalisePhone(input, country)).toEqual({ ok: false, problem });
  });

  it("uses only countries whose calling codes are distinct prefixes of each other where trunk zeros are dropped", () => {
    const zeroTrunk = COUNTRIES.filter((country) => country.trunkPrefix === "0").map((c) => c.callingCode);
    for (const code of zeroTrunk) {
      for (const other of zeroTrunk) {
        if (code !== other) expect(other.startsWith(code)).toBe(false);
      }
    }
  });
});

describe("guessCountry", () => {
  it.each([
    [["en-GB", "en"], "GB"],
    [["fr-CA"], "CA"],
    [["de"], "DE"],
    [["en-XX", "it-IT"], "IT"],
    [["en"], "US"],
    [[], "US"],
    [["zh-Hans-CN"], "US"],
  ])("%j -> %s", (languages, expected) => {
    expect(guessCountry(languages)).toBe(expected);
  });
});
