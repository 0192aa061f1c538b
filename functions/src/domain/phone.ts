import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { OtpError } from "./errors.ts";

const E164 = /^\+[1-9]\d{1,14}$/;

export interface Phone {
  /** The number in E.164 form, e.g. +14155550123. */
  readonly e164: string;
  /** ISO 3166 alpha-2 country of the number, when the metadata knows it. */
  readonly country: string | undefined;
}

export interface PhonePolicy {
  readonly allowedCountries: readonly string[];
  /** Numbers configured as test numbers are accepted without metadata checks. */
  readonly testNumbers: ReadonlyMap<string, string>;
}

/**
 * Accepts only E.164 input that libphonenumber's full metadata considers a valid number, then
 * applies the country allow list (the defence against SMS pumping to premium destinations).
 * @throws OtpError `invalid_phone` or `country_not_allowed`.
 */
export function parsePhone(input: string, policy: PhonePolicy): Phone {
  if (!E164.test(input)) {
    throw new OtpError("invalid_phone", "The phone number must be in E.164 format, such as +14155550123.");
  }
  if (policy.testNumbers.has(input)) {
    return { e164: input, country: undefined };
  }
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed?.isValid() || parsed.number !== input) {
    throw new OtpError("invalid_phone", "This is not a valid phone number.");
  }
  const country = parsed.country;
  if (policy.allowedCountries.length > 0 && (!country || !policy.allowedCountries.includes(country))) {
    throw new OtpError("country_not_allowed", "Codes cannot be sent to phone numbers in this country.", {
      country: country ?? "unknown",
    });
  }
  return { e164: input, country };
}

/**
 * Masks a phone number for logs: keeps the first five and the last two characters
 * (`+14155550123` -> `+1415*****23`), enough to tell numbers apart while debugging.
 */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return `${phone.slice(0, 2)}${"*".repeat(Math.max(phone.length - 2, 0))}`;
  return `${phone.slice(0, 5)}${"*".repeat(phone.length - 7)}${phone.slice(-2)}`;
}
