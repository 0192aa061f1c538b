import { type CountryCode, getExampleNumber, parsePhoneNumberFromString } from "libphonenumber-js/mobile";
import examples from "libphonenumber-js/mobile/examples";

/** A small seeded PRNG (mulberry32): the same seed gives the same traffic, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A valid mobile number of that very country (+44 also numbers Guernsey, Jersey and Man). */
function isMobileOf(e164: string, country: CountryCode): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.isValid() === true && parsed.country === country;
}

function randomDigits(random: () => number, count: number): string {
  let digits = "";
  for (let i = 0; i < count; i++) digits += Math.floor(random() * 10).toString();
  return digits;
}

/** `count` distinct valid mobile numbers of `country` that start with `range` (e.g. `+44740012`). */
export function numbersInRange(
  country: CountryCode,
  range: string,
  count: number,
  random: () => number,
): string[] {
  const example = getExampleNumber(country, examples);
  const free = (example?.number.length ?? 13) - range.length;
  const numbers = new Set<string>();
  for (let tries = 0; numbers.size < count && tries < count * 50; tries++) {
    const candidate = `${range}${randomDigits(random, free)}`;
    if (isMobileOf(candidate, country)) numbers.add(candidate);
  }
  if (numbers.size < count) throw new Error(`only ${numbers.size} mobile numbers found in ${range}`);
  return [...numbers];
}

/**
 * `count` distinct valid mobile numbers anywhere in a country (its example mobile with every digit
 * after the first national one drawn), none in the `avoid` ranges.
 */
export function numbersInCountry(
  country: CountryCode,
  count: number,
  random: () => number,
  avoid: readonly string[] = [],
): string[] {
  const example = getExampleNumber(country, examples);
  if (!example) throw new Error(`no example mobile number for ${country}`);
  const keep = `+${example.countryCallingCode}${example.nationalNumber.slice(0, 1)}`;
  const free = example.number.length - keep.length;
  const numbers = new Set<string>();
  for (let tries = 0; numbers.size < count && tries < count * 200; tries++) {
    const candidate = `${keep}${randomDigits(random, free)}`;
    if (isMobileOf(candidate, country) && !avoid.some((range) => candidate.startsWith(range))) {
      numbers.add(candidate);
    }
  }
  if (numbers.size < count) throw new Error(`only ${numbers.size} mobile numbers found in ${country}`);
  return [...numbers];
}
