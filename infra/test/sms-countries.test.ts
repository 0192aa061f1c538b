import { isSupportedCountry } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import { SMS_DESTINATION_CODES, SMS_DESTINATIONS } from "../lib/sms-countries.ts";

describe("the SMS destinations of AWS End User Messaging SMS", () => {
  it("holds every row of the AWS table once, each an ISO 3166-1 alpha-2 code with its country's name", () => {
    // The table had 215 rows when copied; a row lost in an edit shows up here.
    expect(SMS_DESTINATIONS).toHaveLength(215);
    expect(SMS_DESTINATION_CODES.size).toBe(SMS_DESTINATIONS.length);
    expect(new Set(SMS_DESTINATIONS.map(([, name]) => name)).size).toBe(SMS_DESTINATIONS.length);
    for (const [code, name] of SMS_DESTINATIONS) {
      expect(code, name).toMatch(/^[A-Z]{2}$/);
      expect(name.length, code).toBeGreaterThan(2);
    }
  });

  it("has only regions with phone numbers (libphonenumber's metadata), which catches a mistyped code", () => {
    expect(SMS_DESTINATIONS.filter(([code]) => !isSupportedCountry(code))).toEqual([]);
  });

  it("includes the service's own examples and leaves out what AWS does not send to", () => {
    for (const code of ["US", "CA", "GB", "DE", "IN", "XK"])
      expect(SMS_DESTINATION_CODES.has(code), code).toBe(true);
    for (const code of ["CU", "IR", "KP", "SY"]) expect(SMS_DESTINATION_CODES.has(code), code).toBe(false);
  });
});
