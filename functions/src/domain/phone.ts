import {
  type CountryCode,
  isSupportedCountry,
  type MetadataJson,
  parsePhoneNumberFromString,
} from "libphonenumber-js/core";
import { OtpError } from "./errors.ts";
import metadataJson from "./phone-metadata.json" with { type: "json" };

/**
 * libphonenumber's `mobile` metadata without its formatting rules, which the service never uses
 * (`npm run phone-metadata` writes it; a test checks it against the installed library).
 */
const metadata = metadataJson as unknown as MetadataJson;

/** Whether libphonenumber knows the phone numbers of an ISO 3166 alpha-2 country. */
export function isPhoneCountry(country: string): boolean {
  return isSupportedCountry(country as CountryCode, metadata);
}

const E164 = /^\+[1-9]\d{1,14}$/;

export interface Phone {
  /** The number in E.164 form, e.g. +14155550123. */
  readonly e164: string;
  /** ISO 3166 alpha-2 country of the number; undefined for test numbers. */
  readonly country: string | undefined;
  /** The country calling code without `+` (`44`); undefined for test numbers. */
  readonly callingCode: string | undefined;
}

export interface PhonePolicy {
  readonly allowedCountries: readonly string[];
  /** Numbers configured as test numbers are accepted without metadata checks. */
  readonly testNumbers: ReadonlyMap<string, string>;
}

/** Why a number was refused as `invalid_phone`: the page explains each differently. */
export type InvalidPhoneReason = "format" | "length" | "not_mobile";

function invalidPhone(reason: InvalidPhoneReason, message: string): OtpError {
  return new OtpError("invalid_phone", message, { reason });
}

/**
 * Accepts only E.164 input that libphonenumber's mobile metadata calls a valid mobile number, then
 * applies the country allow list. Fixed-line, toll-free, premium-rate, shared-cost, UAN, pager and
 * voicemail numbers cannot receive an SMS (or, worse, bill the sender for it: the raw material of
 * SMS pumping), so they are refused before anything is counted or sent. Where the numbering plan
 * cannot tell mobiles apart (+1), libphonenumber calls every valid number mobile.
 * @throws OtpError `invalid_phone` (with a `reason`) or `country_not_allowed`.
 */
export function parsePhone(input: string, policy: PhonePolicy): Phone {
  if (!E164.test(input)) {
    throw invalidPhone("format", "The phone number must be in E.164 format, such as +14155550123.");
  }
  if (policy.testNumbers.has(input)) {
    return { e164: input, country: undefined, callingCode: undefined };
  }
  const parsed = parsePhoneNumberFromString(input, metadata);
  if (!parsed || parsed.number !== input) {
    throw invalidPhone("format", "This is not a phone number of any country.");
  }
  if (!parsed.isPossible()) {
    throw invalidPhone("length", "This phone number has too many or too few digits for its country.");
  }
  if (!parsed.isValid()) {
    throw invalidPhone("not_mobile", "This is not a mobile number: codes are sent by SMS to mobiles only.");
  }
  const country = parsed.country;
  if (country === undefined) {
    // +800, +808, +870, +881-883, +888, +979: universal toll-free, shared-cost and premium-rate
    // numbers, satellite phones, international networks. None is an everyday phone, several bill
    // the sender a premium, and with no country no budget, allow list or country rule applies.
    throw new OtpError(
      "country_not_allowed",
      "Codes are not sent to numbers of international networks or satellite phones.",
      { country: "international" },
    );
  }
  if (policy.allowedCountries.length > 0 && !policy.allowedCountries.includes(country)) {
    throw new OtpError("country_not_allowed", "Codes cannot be sent to phone numbers in this country.", {
      country,
    });
  }
  return { e164: input, country, callingCode: parsed.countryCallingCode };
}

/**
 * Masks a phone number for logs: keeps the first five and the last two characters
 * (`+14155550123` -> `+1415*****23`), enough to tell numbers apart while debugging.
 */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return `${phone.slice(0, 2)}${"*".repeat(Math.max(phone.length - 2, 0))}`;
  return `${phone.slice(0, 5)}${"*".repeat(phone.length - 7)}${phone.slice(-2)}`;
}
