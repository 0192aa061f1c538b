import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { startDevServer } from "#dev-server";
import { CHROMIUM_ARGS } from "./chromium.ts";

/** Where screenshots and other artifacts go (gitignored; CI keeps them). */
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results");

/** Short resend cooldown so the countdown test takes seconds; everything else is the defaults. */
const E2E_SERVER_ENV: Record<string, string> = {
  OTP_RESEND_COOLDOWN_SECONDS: "5",
  OTP_MAX_ATTEMPTS: "5",
  OTP_TTL_SECONDS: "300",
  // Every test sends from 127.0.0.1; the per-IP cap is not what these tests are about.
  OTP_MAX_SENDS_PER_IP_PER_HOUR: "1000",
};

export interface E2eEnvironment {
  readonly url: string;
  readonly browser: Browser;
  readonly awsEndpoint: string;
  readonly tableName: string;
  readonly region: string;
  stop(): Promise<void>;
}

/**
 * Starts the real dev server (embedded AWS stack; it builds the page from web/src into its own
 * directory) and launches Chromium.
 */
export async function startEnvironment(
  executablePath: string,
  extraEnv: Record<string, string> = {},
): Promise<E2eEnvironment> {
  const server = await startDevServer({ port: 0, env: { ...E2E_SERVER_ENV, ...extraEnv }, quiet: true });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: server.url,
    browser,
    awsEndpoint: server.awsEndpoint,
    tableName: server.tableName,
    region: server.region,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

export interface TestPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions in the page: every test expects none. */
  readonly pageErrors: Error[];
  /** JSON bodies the page POSTed to the API, by path. */
  readonly apiRequests: { path: string; body: unknown }[];
}

/** A fresh context (no shared storage between tests) with a viewport and an English US locale. */
export async function openPage(
  environment: E2eEnvironment,
  width = 1280,
  height = 800,
  initScript?: string,
  /** Runs before the page loads (e.g. `context.route` for third-party scripts). */
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<TestPage> {
  const context = await environment.browser.newContext({
    viewport: { width, height },
    locale: "en-US",
    colorScheme: "light",
  });
  if (initScript !== undefined) await context.addInitScript(initScript);
  await prepare?.(context);
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  const apiRequests: { path: string; body: unknown }[] = [];
  page.on("pageerror", (error) => pageErrors.push(error));
  page.on("request", (request) => {
    if (request.method() !== "POST") return;
    const path = new URL(request.url()).pathname;
    apiRequests.push({ path, body: request.postDataJSON() });
  });
  await page.goto(environment.url);
  return { context, page, pageErrors, apiRequests };
}

interface DevSms {
  readonly phone: string;
  readonly message: string;
  readonly timestamp: string;
}

/** Waits until the dev inbox holds `count` SMS for `phone` and returns the newest one's text. */
export async function waitForSms(
  baseUrl: string,
  phone: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/_dev/sms?phone=${encodeURIComponent(phone)}`);
    const { messages } = (await response.json()) as { messages: DevSms[] };
    const mine = messages.filter((sms) => sms.phone === phone);
    const latest = mine[count - 1];
    if (mine.length >= count && latest) return latest.message;
    if (Date.now() > deadline) {
      throw new Error(`Expected ${count} SMS for ${phone} in the dev inbox, found ${mine.length}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The code in an SMS such as "123456 is your Demo verification code. It expires in 5 minutes." */
export function codeFromSms(message: string): string {
  const code = /(?:^|\D)(\d{4,10})(?!\d)/.exec(message)?.[1];
  if (code === undefined) throw new Error(`No code in SMS: ${message}`);
  return code;
}

/** A code of the same length that is certainly wrong. */
export function wrongCode(code: string): string {
  const last = Number(code.slice(-1));
  return `${code.slice(0, -1)}${(last + 1) % 10}`;
}

/**
 * Expires the live code of `phone` the honest way: the stored item's `expiresAt` (epoch ms) is
 * moved into the past, exactly what the clock would do after OTP_TTL_SECONDS.
 */
export async function expireCode(environment: E2eEnvironment, phone: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: environment.awsEndpoint,
    region: environment.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: environment.tableName,
        Key: { pk: { S: `PHONE#${phone}` } },
        UpdateExpression: "SET expiresAt = :past",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":past": { N: String(Date.now() - 60_000) } },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Saves a full-page screenshot under `web/test-results/screenshots/` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(RESULTS_DIR, "screenshots", `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The id of the focused element. */
export function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? "");
}
