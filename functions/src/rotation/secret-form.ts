/**
 * The form of the service secret: what the stack's Secret generates first and what every rotation
 * generates next (Secrets Manager's own generator, same options), so both always look alike.
 */
export const SERVICE_SECRET_FORM = {
  length: 64,
  // Letters and digits only: the value is safe in any shell, environment variable or URL.
  excludePunctuation: true,
  includeSpace: false,
} as const;

/** A value of that form: 64 letters and digits. */
export function isServiceSecretValue(value: string): boolean {
  return new RegExp(`^[A-Za-z0-9]{${SERVICE_SECRET_FORM.length}}$`).test(value);
}
