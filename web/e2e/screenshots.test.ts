import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium } from "./support/chromium.ts";
import {
  codeFromSms,
  type E2eEnvironment,
  openPage,
  screenshot,
  startEnvironment,
  waitForSms,
  wrongCode,
} from "./support/harness.ts";

/**
 * Screenshots of each step at a phone width (375 px) and a desktop width (1280 px), saved to
 * web/test-results/screenshots/ for people to look at; the test checks nothing overflows sideways.
 */

const WIDTHS = [
  { width: 375, height: 812, phone: "+14155550110", typed: "415 555 0110" },
  { width: 1280, height: 800, phone: "+14155550111", typed: "415 555 0111" },
];

describeWithChromium("page screenshots", (executablePath) => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startEnvironment(executablePath);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it.each(WIDTHS)(
    "renders every step at $width px without horizontal scrolling",
    async ({ width, height, phone, typed }) => {
      const { context, page } = await openPage(env, width, height);
      try {
        const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

        await page.getByRole("textbox", { name: "Phone number" }).fill(typed);
        expect(await overflow()).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-1-phone`);

        await page.getByRole("button", { name: "Send code" }).click();
        const code = codeFromSms(await waitForSms(env.url, phone));
        await page.getByRole("textbox", { name: "Verification code" }).fill(wrongCode(code));
        await page.getByRole("button", { name: "Verify" }).click();
        await page.locator("#code-error", { hasText: "attempts left" }).waitFor();
        expect(await overflow()).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-2-code-error`);

        await page.getByRole("textbox", { name: "Verification code" }).fill(code);
        await page.getByRole("button", { name: "Verify" }).click();
        await page.getByRole("heading", { name: "Phone number verified" }).waitFor();
        await page.getByText("Show the verification token").click();
        expect(await overflow()).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-3-verified`);
      } finally {
        await context.close();
      }
    },
  );
});
