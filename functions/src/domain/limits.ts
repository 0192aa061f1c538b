/** Hourly send budgets by country: an amount for some countries, one for every other. */
export interface CountryBudgets {
  readonly byCountry: ReadonlyMap<string, number>;
  readonly otherwise: number;
}

/** When a range of numbers (or a whole country) stops getting codes: too many sends, too few verified. */
export interface ConversionRule {
  /** Sends in the look-back window before the rule judges; 0 turns the rule off. */
  readonly minSends: number;
  /** Verified codes per send below which sends are refused (0.2: fewer than 1 in 5 verified). */
  readonly minConversion: number;
}

/** The self-hosted "fraud guard": conversion-based blocking of number ranges and countries. */
export interface FraudRules {
  /** National digits after the calling code that name a range (+44 7400 12... with 6: `+44740012`). */
  readonly prefixDigits: number;
  readonly prefix: ConversionRule;
  readonly country: ConversionRule;
  /** How long a range or a country stays blocked once a rule fired. */
  readonly blockSeconds: number;
  /** E.164 prefixes the operator trusts: never judged, never blocked (budgets still apply). */
  readonly exemptPrefixes: readonly string[];
}

/** Code and rate-limit settings (the `OTP_*` variables). */
export interface OtpLimits {
  readonly length: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
  readonly resendCooldownSeconds: number;
  readonly maxSendsPerHour: number;
  readonly maxSendsPerIpPerHour: number;
  readonly maxSendsPerCountryPerHour: CountryBudgets;
  readonly maxSendsPerHourTotal: number;
  readonly fraud: FraudRules;
  /** ISO 3166 alpha-2 codes; empty means every country. */
  readonly allowedCountries: readonly string[];
  /** Fixed codes for numbers that never receive an SMS. */
  readonly testNumbers: ReadonlyMap<string, string>;
}

/** The part of the configuration the domain reads. */
export interface OtpPolicy extends OtpLimits {
  readonly appName: string;
  readonly smsTemplate: string;
  readonly webOtpDomain: string | undefined;
}

/** The hourly send budget of a country. */
export function countryBudget(budgets: CountryBudgets, country: string): number {
  return budgets.byCountry.get(country) ?? budgets.otherwise;
}

/**
 * A country as a metric dimension: only countries the operator named (the allow list, or a
 * budget of their own), so a dashboard has a few values at most; `other` for the rest and `test`
 * for test numbers.
 */
export function metricCountry(limits: OtpLimits, country: string | undefined): string {
  if (country === undefined) return "test";
  const named = limits.allowedCountries.length > 0 || limits.maxSendsPerCountryPerHour.byCountry.has(country);
  return named ? country : "other";
}
