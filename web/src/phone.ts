/**
 * Phone number entry without shipping phone metadata to the browser. The page turns what a person
 * typed into E.164 with a few rules (separators, `00`/`011` prefixes, a national trunk prefix); the
 * server, which has libphonenumber's full metadata, stays the authority on validity and answers
 * `invalid_phone` for anything these rules let through.
 */

export interface Country {
  /** ISO 3166 alpha-2. */
  readonly iso: string;
  readonly name: string;
  /** Country calling code without the plus. */
  readonly callingCode: string;
  /**
   * National trunk prefix people type before the number at home (`0` in most of Europe, `1` in
   * the North American plan); dropped when the number gets the calling code. Italy keeps its 0.
   */
  readonly trunkPrefix: "0" | "1" | undefined;
}

/** A short list of common countries; any other country works by typing + and its calling code. */
export const COUNTRIES: readonly Country[] = [
  { iso: "US", name: "United States", callingCode: "1", trunkPrefix: "1" },
  { iso: "CA", name: "Canada", callingCode: "1", trunkPrefix: "1" },
  { iso: "GB", name: "United Kingdom", callingCode: "44", trunkPrefix: "0" },
  { iso: "IE", name: "Ireland", callingCode: "353", trunkPrefix: "0" },
  { iso: "AU", name: "Australia", callingCode: "61", trunkPrefix: "0" },
  { iso: "NZ", name: "New Zealand", callingCode: "64", trunkPrefix: "0" },
  { iso: "IN", name: "India", callingCode: "91", trunkPrefix: "0" },
  { iso: "DE", name: "Germany", callingCode: "49", trunkPrefix: "0" },
  { iso: "FR", name: "France", callingCode: "33", trunkPrefix: "0" },
  { iso: "ES", name: "Spain", callingCode: "34", trunkPrefix: undefined },
  { iso: "IT", name: "Italy", callingCode: "39", trunkPrefix: undefined },
  { iso: "NL", name: "Netherlands", callingCode: "31", trunkPrefix: "0" },
  { iso: "BE", name: "Belgium", callingCode: "32", trunkPrefix: "0" },
  { iso: "CH", name: "Switzerland", callingCode: "41", trunkPrefix: "0" },
  { iso: "AT", name: "Austria", callingCode: "43", trunkPrefix: "0" },
  { iso: "SE", name: "Sweden", callingCode: "46", trunkPrefix: "0" },
  { iso: "PL", name: "Poland", callingCode: "48", trunkPrefix: undefined },
  { iso: "PT", name: "Portugal", callingCode: "351", trunkPrefix: undefined },
  { iso: "BR", name: "Brazil", callingCode: "55", trunkPrefix: "0" },
  { iso: "MX", name: "Mexico", callingCode: "52", trunkPrefix: undefined },
  { iso: "JP", name: "Japan", callingCode: "81", trunkPrefix: "0" },
  { iso: "SG", name: "Singapore", callingCode: "65", trunkPrefix: undefined },
  { iso: "ZA", name: "South Africa", callingCode: "27", trunkPrefix: "0" },
];

/** The selector value meaning "no country: the number starts with + and its calling code". */
export const OTHER_COUNTRY = "";

const LANGUAGE_COUNTRY: Readonly<Record<string, string>> = {
  de: "DE",
  fr: "FR",
  es: "ES",
  it: "IT",
  nl: "NL",
  sv: "SE",
  pl: "PL",
  pt: "PT",
  ja: "JP",
};

/**
 * Picks the selector's starting country from the browser languages (`en-GB` -> GB, `de` -> DE);
 * United States when nothing matches, as most sample numbers in the docs are +1.
 */
export function guessCountry(languages: readonly string[]): string {
  for (const tag of languages) {
    const [language = "", region] = tag.split("-");
    const iso = region?.toUpperCase() ?? LANGUAGE_COUNTRY[language.toLowerCase()];
    if (iso && COUNTRIES.some((country) => country.iso === iso)) return iso;
  }
  return "US";
}

export type PhoneProblem = "empty" | "characters" | "needs_country_code" | "too_short" | "too_long";

export type NormalisedPhone = { ok: true; e164: string } | { ok: false; problem: PhoneProblem };

const ALLOWED = /^\+?[\d\s\-().]*$/;
// E.164 allows at most 15 digits after the plus; shorter than 7 is never a mobile number.
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

/**
 * Turns typed input into an E.164 number (`+14155550123`).
 * `countryIso` is the selected country, or {@link OTHER_COUNTRY} when the input must carry its
 * own calling code. Input starting with `+`, `00` (or `011` for North America) is international
 * and ignores the selection.
 */
export function normalisePhone(input: string, countryIso: string): NormalisedPhone {
  // "+44 (0)20 ..." is a common way to print a number; the (0) is the trunk prefix, not a digit.
  const trimmed = input.trim().replace(/^(\+\d{1,3})\s*\(0\)/, "$1");
  if (trimmed === "") return { ok: false, problem: "empty" };
  if (!ALLOWED.test(trimmed)) return { ok: false, problem: "characters" };
  const digits = trimmed.replace(/\D/g, "");
  if (digits === "") return { ok: false, problem: "characters" };
  const country = COUNTRIES.find((candidate) => candidate.iso === countryIso);

  let international: string | undefined;
  if (trimmed.startsWith("+")) international = digits;
  else if (digits.startsWith("00")) international = digits.slice(2);
  else if (country?.callingCode === "1" && digits.startsWith("011")) international = digits.slice(3);

  if (international !== undefined) return checkLength(dropTrunkAfterCallingCode(international));
  if (!country) return { ok: false, problem: "needs_country_code" };

  let national = digits;
  if (country.trunkPrefix === "1") {
    // North American numbers have ten digits; eleven starting with 1 carry the trunk prefix.
    if (national.length === 11 && national.startsWith("1")) national = national.slice(1);
  } else if (country.trunkPrefix === "0" && national.startsWith("0")) {
    national = national.slice(1);
  }
  return checkLength(country.callingCode + national);
}

/** "+44 07700 900123": people often keep the trunk 0 after the calling code; it must go. */
function dropTrunkAfterCallingCode(digits: string): string {
  const country = COUNTRIES.find(
    (candidate) => candidate.trunkPrefix === "0" && digits.startsWith(`${candidate.callingCode}0`),
  );
  return country ? country.callingCode + digits.slice(country.callingCode.length + 1) : digits;
}

function checkLength(digits: string): NormalisedPhone {
  if (digits.length < MIN_DIGITS) return { ok: false, problem: "too_short" };
  if (digits.length > MAX_DIGITS) return { ok: false, problem: "too_long" };
  return { ok: true, e164: `+${digits}` };
}
