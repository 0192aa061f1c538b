import type { ConversionRule, FraudRules } from "./limits.ts";
import type { Phone } from "./phone.ts";
import type { ConversionStats, TrafficScope } from "./ports.ts";
import { numberRange } from "./traffic.ts";

/**
 * The conversion rule of SMS-pumping defence: a scope (a range of numbers, or a country) that
 * got at least `minSends` codes in the look-back window, of which fewer than `minConversion` were
 * verified, gets no more until its block ends. Pumped numbers never verify; real people mostly do.
 *
 * `stats` include the send being judged, so the rule looks at the sends before it: exactly
 * `minSends` codes reach a range before the first judgement, however many requests race.
 */
export function breaksConversionRule(stats: ConversionStats, rule: ConversionRule): boolean {
  const before = stats.sends - 1;
  if (rule.minSends === 0 || before < rule.minSends) return false;
  return stats.verified / before < rule.minConversion;
}

/**
 * The scopes a number's sends are counted and judged in: its range and its country. None for a
 * test number (no country) or a number the operator exempted (counted only by the global ceiling).
 */
export function scopesOf(phone: Phone, rules: FraudRules): { range?: TrafficScope; country?: TrafficScope } {
  if (phone.country === undefined || phone.callingCode === undefined || isExempt(phone.e164, rules))
    return {};
  return {
    range: { kind: "range", key: numberRange(phone.e164, phone.callingCode, rules.prefixDigits) },
    country: { kind: "country", key: phone.country },
  };
}

/** Whether the operator exempted the number's range from the conversion rules. */
function isExempt(e164: string, rules: FraudRules): boolean {
  return rules.exemptPrefixes.some((prefix) => e164.startsWith(prefix));
}
