import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TURNSTILE_SCRIPT } from "../src/turnstile.ts";
import { describeWithChromium } from "./support/chromium.ts";
import { type E2eEnvironment, openPage, startEnvironment, type TestPage } from "./support/harness.ts";

/**
 * The page with a human check configured (OTP_TURNSTILE_SITE_KEY). These machines have no
 * network, so Cloudflare's script is answered by a stand-in with the same interface (`render`
 * with a callback, `reset`): what is tested is the page's side, that it waits for the check and
 * sends its token. The server-side check (siteverify) is tested with its HTTP call faked, in
 * integration-tests/otp/sms-pumping.test.ts.
 */

const FAKE_TURNSTILE = `
window.turnstile = {
  render(container, options) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "I am human (" + options.sitekey + ")";
    button.addEventListener("click", () => options.callback("token-" + Math.random().toString(36).slice(2)));
    container.append(button);
    return "widget-1";
  },
  reset(id) {
    window.turnstileResets = (window.turnstileResets || 0) + 1;
  },
};`;

async function withFakeTurnstile(context: BrowserContext): Promise<void> {
  await context.route(TURNSTILE_SCRIPT, (route) =>
    route.fulfill({ contentType: "text/javascript", body: FAKE_TURNSTILE }),
  );
}

describeWithChromium("the human check in Chromium (Cloudflare's script stood in for)", (executablePath) => {
  let env: E2eEnvironment;
  const open: TestPage[] = [];

  beforeAll(async () => {
    env = await startEnvironment(executablePath, { OTP_TURNSTILE_SITE_KEY: "0x4AAAAAAAtestkey" });
  });

  afterAll(async () => {
    for (const tp of open) await tp.context.close();
    await env?.stop();
  });

  it("asks for the check before sending, then sends its token once and resets it", async () => {
    const tp = await openPage(env, 1280, 800, undefined, withFakeTurnstile);
    open.push(tp);
    const { page } = tp;
    const human = page.getByRole("button", { name: "I am human (0x4AAAAAAAtestkey)" });
    await human.waitFor({ state: "visible" });

    await page.getByRole("textbox", { name: "Phone number" }).fill("(415) 555-0177");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect
      .poll(() => page.locator("#status").textContent())
      .toBe("Complete the human check first, then send the code.");
    expect(tp.apiRequests).toEqual([]);

    await human.click();
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByRole("textbox", { name: "Verification code" }).waitFor({ state: "visible" });
    const sent = tp.apiRequests.filter((request) => request.path === "/generate");
    expect(sent).toEqual([
      { path: "/generate", body: { phone: "+14155550177", challenge: expect.stringMatching(/^token-/) } },
    ]);
    expect(
      await page.evaluate(() => (window as unknown as { turnstileResets?: number }).turnstileResets),
    ).toBe(1);
    expect(tp.pageErrors).toEqual([]);
  });
});
