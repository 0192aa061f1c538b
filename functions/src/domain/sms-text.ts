export interface SmsTextInput {
  readonly template: string;
  readonly code: string;
  readonly appName: string;
  readonly ttlSeconds: number;
  readonly webOtpDomain: string | undefined;
}

/**
 * Builds the SMS from the server-side template only (the client never supplies text). With a
 * WebOTP domain, the last line is the origin-bound `@domain #code` that browsers read.
 */
export function renderSmsText(input: SmsTextInput): string {
  const minutes = Math.ceil(input.ttlSeconds / 60).toString();
  const values: Record<string, string> = { code: input.code, app: input.appName, minutes };
  // One pass, so a value that itself looks like a placeholder is never expanded again.
  const body = input.template.replace(
    /\{(code|app|minutes)\}/g,
    (_match, name: string) => values[name] ?? "",
  );
  return input.webOtpDomain ? `${body}\n\n@${input.webOtpDomain} #${input.code}` : body;
}
