import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  derivePhoneMetadata,
  installedMobileMetadata,
  PHONE_METADATA_FILE,
  serialize,
} from "../phone-metadata.ts";

describe("functions/src/domain/phone-metadata.json", () => {
  it("is what `npm run phone-metadata` derives from the installed libphonenumber-js", async () => {
    const expected = serialize(derivePhoneMetadata(await installedMobileMetadata()));
    const actual = await readFile(PHONE_METADATA_FILE, "utf8");
    expect(
      actual === expected,
      "the file is stale (libphonenumber-js was upgraded?): run `npm run phone-metadata`",
    ).toBe(true);
  });

  it("drops the formatting rules and nothing else", async () => {
    const mobile = await installedMobileMetadata();
    const derived = derivePhoneMetadata(mobile) as unknown as {
      countries: Record<string, unknown[]>;
      country_calling_codes: unknown;
    };
    const source = mobile as unknown as typeof derived;
    expect(derived.country_calling_codes).toEqual(source.country_calling_codes);
    expect(Object.keys(derived.countries)).toEqual(Object.keys(source.countries));
    for (const [country, plan] of Object.entries(derived.countries)) {
      const original = source.countries[country] ?? [];
      expect(plan.filter((_, i) => i !== 4)).toEqual(original.filter((_, i) => i !== 4));
      expect(plan[4] === 0 || plan[4] === undefined).toBe(true);
    }
    expect(serialize(derivePhoneMetadata(mobile)).length).toBeLessThan(JSON.stringify(mobile).length * 0.6);
  });

  it("refuses metadata of a version it does not know", () => {
    const future = { version: 5, countries: {}, country_calling_codes: {} };
    expect(() => derivePhoneMetadata(future as never)).toThrow(/version 5/);
  });
});
