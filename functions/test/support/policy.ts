import type { OtpPolicy } from "../../src/domain/limits.ts";
import type { OtpMetrics, SendRefusal, TrafficScope } from "../../src/domain/ports.ts";

/** The documented defaults, in the domain's terms, with one test number. */
export const BASE_POLICY: OtpPolicy = {
  length: 6,
  ttlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  maxSendsPerHour: 5,
  maxSendsPerIpPerHour: 20,
  maxSendsPerCountryPerHour: { byCountry: new Map(), otherwise: 100 },
  maxSendsPerHourTotal: 500,
  fraud: {
    prefixDigits: 6,
    prefix: { minSends: 20, minConversion: 0.2 },
    country: { minSends: 50, minConversion: 0.1 },
    blockSeconds: 3600,
    exemptPrefixes: [],
  },
  allowedCountries: [],
  testNumbers: new Map([["+15005550006", "123456"]]),
  appName: "Acme",
  smsTemplate: "{code} is your {app} code",
  webOtpDomain: undefined,
};

/** Every count the domain reported, in order, as `name:label`. */
export class RecordingMetrics implements OtpMetrics {
  readonly counts: string[] = [];
  flushes = 0;

  codeSent(country: string): void {
    this.counts.push(`sent:${country}`);
  }

  codeVerified(country: string): void {
    this.counts.push(`verified:${country}`);
  }

  sendRefused(reason: SendRefusal | "challenge_failed"): void {
    this.counts.push(`refused:${reason}`);
  }

  scopeBlocked(kind: TrafficScope["kind"]): void {
    this.counts.push(`blocked:${kind}`);
  }

  flush(): void {
    this.flushes++;
  }
}
