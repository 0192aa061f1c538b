/** Code and rate-limit settings (the `OTP_*` variables). */
export interface OtpLimits {
  readonly length: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
  readonly resendCooldownSeconds: number;
  readonly maxSendsPerHour: number;
  readonly maxSendsPerIpPerHour: number;
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
