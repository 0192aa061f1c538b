import { Logger } from "@aws-lambda-powertools/logger";
import { maskPhone } from "../domain/phone.ts";
import type { OtpEventLog } from "../domain/ports.ts";

/** Structured JSON logs (Powertools), one logger per function. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

const PHONE_IN_TEXT = /\+?\d[\d ()-]{6,}\d/g;

/**
 * Error details safe for logs: provider messages can quote the phone number ("Invalid parameter:
 * PhoneNumber ..."), so digits runs are masked; codes and tokens never reach an error message.
 */
export function describeError(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return {
    errorName: error.name,
    errorMessage: redactPhones(error.message),
    ...(cause ? { causeName: cause.name, causeMessage: redactPhones(cause.message) } : {}),
  };
}

function redactPhones(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match.replace(/[^\d+]/g, "")));
}

/** Adapts the Powertools logger to the domain's event log. */
export function domainEventLog(logger: Logger): OtpEventLog {
  return {
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields, error) => logger.warn(message, { ...fields, ...describeError(error) }),
  };
}
