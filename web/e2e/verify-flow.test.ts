import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium } from "./support/chromium.ts";
import {
  codeFromSms,
  type E2eEnvironment,
  expireCode,
  focusedId,
  openPage,
  startEnvironment,
  type TestPage,
  waitForSms,
  wrongCode,
} from "./support/harness.ts";

/**
 * The page against the real dev server (same handlers, embedded DynamoDB and SNS/SQS), driven in
 * Chromium. Each test uses its own number: the service limits sends per phone.
 */

const POLL = { timeout: 10_000, interval: 50 };

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? "";
}

async function sendCodeTo(tp: TestPage, nationalNumber: string): Promise<void> {
  await tp.page.getByRole("textbox", { name: "Phone number" }).fill(nationalNumber);
  await tp.page.getByRole("button", { name: "Send code" }).click();
  await tp.page.getByRole("textbox", { name: "Verification code" }).waitFor({ state: "visible" });
}

async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByRole("textbox", { name: "Verification code" }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function expectVerified(page: Page, phone: string): Promise<void> {
  const heading = page.getByRole("heading", { name: "Phone number verified" });
  await heading.waitFor({ state: "visible" });
  expect(await text(page, "#verified-phone")).toBe(phone);
}

describeWithChromium("web page in Chromium against the dev server", (executablePath) => {
  let env: E2eEnvironment;
  const open: TestPage[] = [];

  beforeAll(async () => {
    env = await startEnvironment(executablePath);
  });

  afterAll(async () => {
    for (const tp of open) await tp.context.close();
    await env?.stop();
  });

  async function page(width?: number, initScript?: string): Promise<TestPage> {
    const tp = await openPage(env, width, 800, initScript);
    open.push(tp);
    return tp;
  }

  it("verifies a number end to end with the code from the dev inbox", async () => {
    const tp = await page();
    const { page: p } = tp;
    expect(await p.title()).toBe("Verify your phone number");
    // The country selector starts on the browser's region (en-US) and the number is typed nationally.
    expect(await p.getByRole("combobox", { name: "Country" }).inputValue()).toBe("US");
    await p.getByRole("textbox", { name: "Phone number" }).fill("(415) 555-0101");
    expect(await text(p, "#phone-hint")).toBe("The code will be sent to +14155550101.");
    await p.getByRole("button", { name: "Send code" }).click();

    const codeInput = p.getByRole("textbox", { name: "Verification code" });
    await codeInput.waitFor({ state: "visible" });
    expect(await focusedId(p)).toBe("code");
    expect(await text(p, "#status")).toBe("A code was sent to +14155550101.");
    expect(await text(p, "#sent-to")).toBe("+14155550101");
    expect(await text(p, "#code-hint")).toBe(
      "The digits from the text message. The code expires in 5 minutes.",
    );
    // The browser sent E.164 and nothing else (no message text, no code length).
    expect(tp.apiRequests).toEqual([{ path: "/generate", body: { phone: "+14155550101" } }]);

    const code = codeFromSms(await waitForSms(env.url, "+14155550101"));
    await submitCode(p, code);
    await expectVerified(p, "+14155550101");
    expect(await focusedId(p)).toBe("done-title");
    expect(await text(p, "#done")).toContain("backend, which checks the signature");

    await p.getByText("Show the verification token").click();
    const token = await text(p, "#token");
    expect(token.split(".")).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    expect(claims).toMatchObject({ sub: "+14155550101", phone_number_verified: true });
    expect(tp.apiRequests.at(-1)).toEqual({ path: "/validate", body: { phone: "+14155550101", code } });
    expect(tp.pageErrors).toEqual([]);
  });

  it("shows the attempts remaining after a wrong code, and the right code still works", async () => {
    const tp = await page();
    await sendCodeTo(tp, "415 555 0102");
    const code = codeFromSms(await waitForSms(env.url, "+14155550102"));

    await submitCode(tp.page, wrongCode(code));
    await expect
      .poll(() => text(tp.page, "#code-error"), POLL)
      .toBe("That code is not correct. 4 attempts left.");
    expect(
      await tp.page.getByRole("textbox", { name: "Verification code" }).getAttribute("aria-invalid"),
    ).toBe("true");
    // The same message reaches screen readers through the live region.
    expect(await tp.page.locator("#status").textContent()).toBe("That code is not correct. 4 attempts left.");
    expect(await focusedId(tp.page)).toBe("code");

    await submitCode(tp.page, code);
    await expectVerified(tp.page, "+14155550102");
    expect(tp.pageErrors).toEqual([]);
  });

  it("locks the code after too many wrong attempts and offers a new one", async () => {
    const tp = await page();
    await sendCodeTo(tp, "415 555 0103");
    const code = codeFromSms(await waitForSms(env.url, "+14155550103"));
    const error = tp.page.locator("#code-error");
    for (let remaining = 4; remaining >= 1; remaining -= 1) {
      await submitCode(tp.page, wrongCode(code));
      await expect.poll(() => text(tp.page, "#code-error"), POLL).toContain(`${remaining} attempt`);
    }
    await submitCode(tp.page, wrongCode(code));
    await expect.poll(() => text(tp.page, "#code-error"), POLL).toContain("it was the last attempt");
    // Even the right code is refused now: the lock is the server's, not the page's.
    await submitCode(tp.page, code);
    await expect
      .poll(() => text(tp.page, "#code-error"), POLL)
      .toBe("Too many wrong attempts: this code is locked. Send a new code.");
    const resend = tp.page.getByRole("button", { name: "Send a new code" });
    expect(await resend.getAttribute("class")).toContain("offer");

    await resend.click();
    const fresh = codeFromSms(await waitForSms(env.url, "+14155550103", 2));
    await expect.poll(() => text(tp.page, "#status"), POLL).toContain("A new code was sent to +14155550103");
    expect(await error.isHidden()).toBe(true);
    await submitCode(tp.page, fresh);
    await expectVerified(tp.page, "+14155550103");
  });

  it("counts down before a new code can be sent, from resendIn and from a 429's Retry-After", async () => {
    const tp = await page();
    const p = tp.page;
    await sendCodeTo(tp, "415 555 0104");
    const resend = p.getByRole("button", { name: "Send a new code" });
    // OTP_RESEND_COOLDOWN_SECONDS=5 for this server.
    expect(await resend.isDisabled()).toBe(true);
    expect(await text(p, "#resend-wait")).toMatch(/^You can ask for a new code in [1-5] seconds?\.$/);

    // Asking again for the same number at once: the server answers 429 rate_limited (resend_cooldown).
    await p.getByRole("button", { name: "Change number" }).click();
    expect(await focusedId(p)).toBe("phone");
    await p.getByRole("button", { name: "Send code" }).click();
    await expect
      .poll(() => text(p, "#status"), POLL)
      .toMatch(/^A code was sent to this number moments ago\./);
    expect(await p.getByRole("textbox", { name: "Verification code" }).isVisible()).toBe(true);
    expect(await resend.isDisabled()).toBe(true);

    await expect.poll(() => resend.isEnabled(), POLL).toBe(true);
    expect(await text(p, "#resend-wait")).toBe("No text message? You can ask for a new one.");
    await resend.click();
    await expect
      .poll(() => text(p, "#status"), POLL)
      .toBe("A new code was sent to +14155550104. The previous code no longer works.");
    expect(await resend.isDisabled()).toBe(true);
    const code = codeFromSms(await waitForSms(env.url, "+14155550104", 2));
    await submitCode(p, code);
    await expectVerified(p, "+14155550104");
    expect(tp.apiRequests.map((request) => request.path)).toEqual([
      "/generate",
      "/generate",
      "/generate",
      "/validate",
    ]);
  });

  it("reports an expired code and verifies with a new one", async () => {
    const tp = await page();
    await sendCodeTo(tp, "415 555 0105");
    const code = codeFromSms(await waitForSms(env.url, "+14155550105"));
    await expireCode(env, "+14155550105");

    await submitCode(tp.page, code);
    await expect
      .poll(() => text(tp.page, "#code-error"), POLL)
      .toBe("This code has expired or was already used. Send a new code.");
    const resend = tp.page.getByRole("button", { name: "Send a new code" });
    expect(await resend.getAttribute("class")).toContain("offer");
    await expect.poll(() => resend.isEnabled(), POLL).toBe(true);
    await resend.click();
    const fresh = codeFromSms(await waitForSms(env.url, "+14155550105", 2));
    await submitCode(tp.page, fresh);
    await expectVerified(tp.page, "+14155550105");
  });

  it("works with the keyboard alone, with a visible focus indicator", async () => {
    const tp = await page();
    const p = tp.page;
    const outline = () =>
      p.evaluate(() => {
        const style = getComputedStyle(document.activeElement ?? document.body);
        return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
      });

    await p.keyboard.press("Tab");
    expect(await focusedId(p)).toBe("country");
    await p.keyboard.press("Tab");
    expect(await focusedId(p)).toBe("phone");
    expect(await outline()).toMatchObject({ style: "solid", width: 3 });
    await p.keyboard.type("415 555 0106");
    await p.keyboard.press("Tab");
    expect(await focusedId(p)).toBe("send");
    expect(await outline()).toMatchObject({ style: "solid", width: 3 });
    await p.keyboard.press("Enter");

    await p.getByRole("textbox", { name: "Verification code" }).waitFor({ state: "visible" });
    expect(await focusedId(p)).toBe("code");
    const code = codeFromSms(await waitForSms(env.url, "+14155550106"));
    await p.keyboard.type(code);
    await p.keyboard.press("Enter");

    await expectVerified(p, "+14155550106");
    expect(await focusedId(p)).toBe("done-title");
    await p.keyboard.press("Tab");
    expect(await p.evaluate(() => document.activeElement?.tagName)).toBe("SUMMARY");
    await p.keyboard.press("Enter");
    expect(await p.locator("#token").isVisible()).toBe(true);
    await p.keyboard.press("Tab");
    expect(await focusedId(p)).toBe("restart");
    await p.keyboard.press("Enter");
    expect(await focusedId(p)).toBe("phone");
    expect(tp.pageErrors).toEqual([]);
  });

  it("takes the code from WebOTP when the browser offers it, and submits it", async () => {
    // Chromium has WebOTP, but here no phone can deliver an SMS to it; this stands in for the
    // browser's side (resolving navigator.credentials.get) while the page and server are real.
    const stub = `
      window.OTPCredential = function OTPCredential() {};
      window.__otpRequests = [];
      navigator.credentials.get = (options) => new Promise((resolve, reject) => {
        window.__otpRequests.push(JSON.stringify(options.otp));
        window.__deliverOtp = (code) => resolve({ type: "otp", id: "", code });
        options.signal?.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")));
      });`;
    const tp = await page(1280, stub);
    await sendCodeTo(tp, "415 555 0107");
    expect(await tp.page.evaluate("window.__otpRequests")).toEqual(['{"transport":["sms"]}']);
    const code = codeFromSms(await waitForSms(env.url, "+14155550107"));
    await tp.page.evaluate(`window.__deliverOtp(${JSON.stringify(code)})`);
    await expectVerified(tp.page, "+14155550107");
  });

  it("accepts a pasted SMS and keeps only the code", async () => {
    const tp = await page();
    await tp.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.url });
    await sendCodeTo(tp, "415 555 0108");
    const sms = await waitForSms(env.url, "+14155550108");
    await tp.page.evaluate((value) => navigator.clipboard.writeText(value), sms);
    await tp.page.getByRole("textbox", { name: "Verification code" }).focus();
    await tp.page.keyboard.press("ControlOrMeta+V");
    expect(await tp.page.getByRole("textbox", { name: "Verification code" }).inputValue()).toBe(
      codeFromSms(sms),
    );
    await tp.page.getByRole("button", { name: "Verify" }).click();
    await expectVerified(tp.page, "+14155550108");
  });

  it("shows phone errors next to the field, from the browser and from the server", async () => {
    const tp = await page();
    const p = tp.page;
    const phone = p.getByRole("textbox", { name: "Phone number" });
    await p.getByRole("button", { name: "Send code" }).click();
    expect(await text(p, "#phone-error")).toBe("Enter your phone number.");
    expect(await phone.getAttribute("aria-invalid")).toBe("true");
    expect(await focusedId(p)).toBe("phone");
    expect(tp.apiRequests).toEqual([]);

    // Well-formed E.164 numbers only the server's metadata refuses: one no country uses, and a
    // London landline, which cannot receive an SMS.
    await phone.fill("+999 123 4567");
    await p.getByRole("button", { name: "Send code" }).click();
    await expect
      .poll(() => text(p, "#phone-error"), POLL)
      .toBe("This is not a valid phone number. Check the country and the digits.");
    await phone.fill("+44 20 7946 0958");
    await p.getByRole("button", { name: "Send code" }).click();
    await expect
      .poll(() => text(p, "#phone-error"), POLL)
      .toBe("This number cannot receive text messages. Use a mobile number.");
    expect(tp.apiRequests).toEqual([
      { path: "/generate", body: { phone: "+9991234567" } },
      { path: "/generate", body: { phone: "+442079460958" } },
    ]);
    expect(await p.getByRole("textbox", { name: "Verification code" }).isVisible()).toBe(false);
  });

  it("says so when the service cannot be reached", async () => {
    const tp = await page();
    await tp.page.route("**/generate", (route) => route.abort("internetdisconnected"));
    await tp.page.getByRole("textbox", { name: "Phone number" }).fill("415 555 0109");
    await tp.page.getByRole("button", { name: "Send code" }).click();
    await expect
      .poll(() => text(tp.page, "#status"), POLL)
      .toBe("Could not reach the verification service. Check your connection and try again.");
    expect(await tp.page.getByRole("textbox", { name: "Phone number" }).isVisible()).toBe(true);
  });
});
