import type { ApiResult } from "./api.ts";
import type { CodeProblem } from "./code.ts";
import type { PhoneProblem } from "./phone.ts";

/**
 * Every word the page shows (but the static labels of index.html): the outcome of each answer of
 * the contract (README.md, "API"), the inline input problems, and the hints and progress lines.
 * Pure functions from an {@link ApiResult} to a UI outcome, so each message is unit tested
 * without a browser.
 */

/** "1 second", "25 seconds", "3 minutes", "2 hours": waits rounded up so nobody retries early. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return plural(whole, "second");
  if (whole < 3600) return plural(Math.ceil(whole / 60), "minute");
  return plural(Math.ceil(whole / 3600), "hour");
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

function numberField(details: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = details[name];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

const NETWORK_MESSAGE = "Could not reach the verification service. Check your connection and try again.";
const UNAVAILABLE_MESSAGE = "The verification service is busy right now. Try again in a moment.";

/** Messages shared by both operations for failures that are not about the number or the code. */
function genericFailure(result: Exclude<ApiResult, { kind: "ok" }>): string {
  if (result.kind === "network") return NETWORK_MESSAGE;
  switch (result.code) {
    case "service_unavailable":
      return UNAVAILABLE_MESSAGE;
    case "invalid_request":
    case "payload_too_large":
    case "unsupported_media_type":
      return "The page sent a request the service did not accept. Reload the page and try again.";
    default:
      // API Gateway's own throttle answers `{"message":"Too Many Requests"}`, not a contract error.
      if (result.status === 429) return "The service is busy right now. Try again in a moment.";
      return `Something went wrong (HTTP ${result.status}). Try again in a moment.`;
  }
}

export type GenerateOutcome =
  /** A fresh code is on its way. */
  | { readonly kind: "sent"; readonly expiresIn: number; readonly resendIn: number }
  /** Something is wrong with the number itself: shown next to the phone field. */
  | { readonly kind: "phone_error"; readonly message: string }
  /**
   * A code was sent moments ago (`resend_cooldown`): the person can still use it, and may ask for
   * a new one after `waitSeconds`.
   */
  | { readonly kind: "cooldown"; readonly waitSeconds: number; readonly message: string }
  /** An hourly cap (`phone_hourly_limit`, `ip_hourly_limit`): nothing to do but wait. */
  | { readonly kind: "limited"; readonly waitSeconds: number; readonly message: string }
  /** The human check (Turnstile) is missing or failed: solve it again. */
  | { readonly kind: "challenge"; readonly message: string }
  /** Any other failure; the person may simply try again. */
  | { readonly kind: "failed"; readonly message: string };

const INVALID_PHONE = "This is not a valid phone number. Check the country and the digits.";

/** Why the service refused a number (`invalid_phone`'s `reason`), in words. */
const INVALID_PHONE_MESSAGES: Readonly<Record<string, string>> = {
  not_mobile: "This number cannot receive text messages. Use a mobile number.",
  length: "This number has too many or too few digits for its country. Check it.",
  format: INVALID_PHONE,
};

/** Maps the answer of `POST /generate` to what the page does next. */
export function generateOutcome(result: ApiResult): GenerateOutcome {
  if (result.kind === "ok") {
    return {
      kind: "sent",
      expiresIn: numberField(result.body, "expiresIn") ?? 300,
      resendIn: numberField(result.body, "resendIn") ?? 30,
    };
  }
  if (result.kind === "network") return { kind: "failed", message: genericFailure(result) };
  switch (result.code) {
    case "invalid_phone":
      return {
        kind: "phone_error",
        message: INVALID_PHONE_MESSAGES[String(result.details.reason)] ?? INVALID_PHONE,
      };
    case "country_not_allowed":
      return {
        kind: "phone_error",
        message:
          result.details.country === "international"
            ? "Codes cannot be sent to satellite phones or international network numbers. Use a mobile number."
            : "Codes cannot be sent to phone numbers in this country. Use a number from another country.",
      };
    case "rate_limited": {
      const waitSeconds = numberField(result.details, "retryAfter") ?? result.retryAfterHeader ?? 30;
      const wait = formatDuration(waitSeconds);
      switch (result.details.reason) {
        case "phone_hourly_limit":
          return {
            kind: "limited",
            waitSeconds,
            message: `Too many codes were sent to this number. Try again in ${wait}.`,
          };
        case "ip_hourly_limit":
          return {
            kind: "limited",
            waitSeconds,
            message: `Too many codes were requested from your network. Try again in ${wait}.`,
          };
        case "country_hourly_limit":
          return {
            kind: "limited",
            waitSeconds,
            message: `Too many codes were sent to numbers in your country this hour. Try again in ${wait}.`,
          };
        case "global_hourly_limit":
          return {
            kind: "limited",
            waitSeconds,
            message: `The service is sending as many codes as it may right now. Try again in ${wait}.`,
          };
        case "suspected_fraud":
          return {
            kind: "limited",
            waitSeconds,
            message: `Codes to numbers like this one are paused for a while. Try again in ${wait}, or use another mobile number.`,
          };
        default:
          return {
            kind: "cooldown",
            waitSeconds,
            message: `A code was sent to this number moments ago. Enter it, or ask for a new one in ${wait}.`,
          };
      }
    }
    case "sms_send_failed":
      return {
        kind: "failed",
        message: "The text message could not be sent. Check the number and try again.",
      };
    case "challenge_failed":
      return {
        kind: "challenge",
        message:
          result.details.reason === "missing"
            ? "Complete the human check first, then send the code."
            : "The human check did not pass. Try it again, then send the code.",
      };
    default:
      return { kind: "failed", message: genericFailure(result) };
  }
}

export type ValidateOutcome =
  | { readonly kind: "verified"; readonly token: string; readonly expiresIn: number }
  /** Shown next to the code field; the same code may be retried after fixing a typo. */
  | { readonly kind: "wrong_code"; readonly attemptsRemaining: number | undefined; readonly message: string }
  /** This code can no longer succeed (`code_expired`, `too_many_attempts`): offer a new one. */
  | { readonly kind: "new_code_needed"; readonly message: string }
  /** The number was refused: back to the phone step. */
  | { readonly kind: "phone_error"; readonly message: string }
  | { readonly kind: "failed"; readonly message: string };

/** Maps the answer of `POST /validate` to what the page does next. */
export function validateOutcome(result: ApiResult): ValidateOutcome {
  if (result.kind === "ok") {
    const token = result.body.token;
    if (typeof token !== "string" || token === "") {
      return { kind: "failed", message: "The service answered without a token. Try again." };
    }
    return { kind: "verified", token, expiresIn: numberField(result.body, "expiresIn") ?? 600 };
  }
  if (result.kind === "network") return { kind: "failed", message: genericFailure(result) };
  switch (result.code) {
    case "invalid_code": {
      const attemptsRemaining = numberField(result.details, "attemptsRemaining");
      return {
        kind: "wrong_code",
        attemptsRemaining,
        message:
          attemptsRemaining === undefined
            ? "That code is not correct. Check the SMS and try again."
            : attemptsRemaining === 0
              ? "That code is not correct, and it was the last attempt. Send a new code."
              : `That code is not correct. ${plural(attemptsRemaining, "attempt")} left.`,
      };
    }
    case "code_expired":
      return {
        kind: "new_code_needed",
        message: "This code has expired or was already used. Send a new code.",
      };
    case "too_many_attempts":
      return {
        kind: "new_code_needed",
        message: "Too many wrong attempts: this code is locked. Send a new code.",
      };
    case "invalid_phone":
    case "country_not_allowed":
      return {
        kind: "phone_error",
        message: "This phone number was not accepted. Check it and send a new code.",
      };
    default:
      return { kind: "failed", message: genericFailure(result) };
  }
}

/** Inline messages for a code the browser can already tell is wrong. */
export const CODE_PROBLEM_MESSAGES: Readonly<Record<CodeProblem, string>> = {
  empty: "Enter the code from the text message.",
  characters: "The code has digits only.",
  length: "The code has 4 to 10 digits. Check the text message.",
};

/** Inline messages for what the browser can tell on its own about a number; the server's answers come on top. */
export const PHONE_PROBLEM_MESSAGES: Readonly<Record<PhoneProblem, string>> = {
  empty: "Enter your phone number.",
  characters: "Use digits only, with an optional + and country code at the start.",
  needs_country_code: "Choose a country, or start the number with + and the country code.",
  too_short: "This number is too short. Include the area code.",
  too_long: "This number is too long. Check the digits.",
};

/** The page's own lines: hints, progress and confirmations. */
export const PAGE_TEXT = {
  phoneHint: "Include the area code. A number starting with + is used as typed.",
  phonePreview: (e164: string) => `The code will be sent to ${e164}.`,
  otherCountry: "Other: type + and the country code",
  sending: (isResend: boolean) => (isResend ? "Sending a new code…" : "Sending a code…"),
  sent: (phone: string, isResend: boolean) =>
    isResend
      ? `A new code was sent to ${phone}. The previous code no longer works.`
      : `A code was sent to ${phone}.`,
  codeHint: (expiresIn: number) =>
    `The digits from the text message. The code expires in ${formatDuration(expiresIn)}.`,
  resendIn: (seconds: number) =>
    seconds > 0
      ? `You can ask for a new code in ${formatDuration(seconds)}.`
      : "No text message? You can ask for a new one.",
  checking: "Checking the code…",
  challengeFirst: "Complete the human check first, then send the code.",
  challengeUnavailable: "The human check could not load. Reload the page to try again.",
  verified: "Phone number verified.",
  tokenLifetime: (expiresIn: number) => `It is valid for ${formatDuration(expiresIn)}.`,
} as const;
