import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SMS_TEMPLATE } from "../../src/config/config.ts";
import { renderSmsText } from "../../src/domain/sms-text.ts";

describe("renderSmsText", () => {
  it("fills the default template", () => {
    expect(
      renderSmsText({
        template: DEFAULT_SMS_TEMPLATE,
        code: "012345",
        appName: "Acme",
        ttlSeconds: 300,
        webOtpDomain: undefined,
      }),
    ).toBe("012345 is your Acme verification code. It expires in 5 minutes.");
  });

  it("ends with the origin-bound WebOTP line when a domain is set", () => {
    const text = renderSmsText({
      template: DEFAULT_SMS_TEMPLATE,
      code: "654321",
      appName: "Acme",
      ttlSeconds: 90,
      webOtpDomain: "app.example.com",
    });
    expect(text.split("\n").at(-1)).toBe("@app.example.com #654321");
    expect(text).toContain("expires in 2 minutes");
  });

  it("always contains the code once per placeholder and never expands values", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{4,10}$/),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 30, max: 600 }),
        (code, appName, ttlSeconds) => {
          const text = renderSmsText({
            template: DEFAULT_SMS_TEMPLATE,
            code,
            appName,
            ttlSeconds,
            webOtpDomain: undefined,
          });
          expect(text.startsWith(`${code} is your `)).toBe(true);
          expect(text).toContain(`It expires in ${Math.ceil(ttlSeconds / 60)} minutes.`);
          // An app name that looks like a placeholder stays literal text.
          expect(text).toContain(appName);
        },
      ),
    );
    expect(
      renderSmsText({
        template: "{app}: {code}",
        code: "1234",
        appName: "{code}",
        ttlSeconds: 60,
        webOtpDomain: undefined,
      }),
    ).toBe("{code}: 1234");
  });
});
