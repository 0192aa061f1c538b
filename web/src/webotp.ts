/**
 * The WebOTP API (https://wicg.github.io/web-otp/): where the browser has it (Chrome on Android,
 * and desktop Chrome paired with a phone), it reads the code from an SMS that ends with the
 * origin-bound line `@domain #code` (the service adds it when OTP_WEBOTP_DOMAIN is set).
 */

interface OtpCredentialRequest extends CredentialRequestOptions {
  readonly otp: { readonly transport: readonly string[] };
}

/**
 * Waits for a code from WebOTP and hands it to `onCode`. Returns a function that abandons the
 * wait (the person typed the code, changed the number or left the step); a no-op without WebOTP.
 */
export function listenForWebOtp(onCode: (code: string) => void): () => void {
  if (!("OTPCredential" in window) || !navigator.credentials) return () => {};
  const controller = new AbortController();
  const request: OtpCredentialRequest = { otp: { transport: ["sms"] }, signal: controller.signal };
  navigator.credentials.get(request).then(
    (credential) => {
      const code: unknown = credential && "code" in credential ? credential.code : undefined;
      if (!controller.signal.aborted && typeof code === "string" && code !== "") onCode(code);
    },
    // Aborted, refused by the user, or no SMS arrived: typing the code still works.
    () => {},
  );
  return () => controller.abort();
}
