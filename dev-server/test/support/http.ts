import type { DevServer } from "../../src/server.ts";

/** POSTs JSON to the dev server's API. */
export async function postJson(
  server: Pick<DevServer, "apiUrl">,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface SmsList {
  messages: { phone: string; message: string; timestamp: string }[];
}

/** The SMS the dev inbox holds for a phone, oldest first. */
async function smsFor(server: Pick<DevServer, "url">, phone: string): Promise<SmsList["messages"]> {
  const response = await fetch(`${server.url}/_dev/sms?phone=${encodeURIComponent(phone)}`);
  return ((await response.json()) as SmsList).messages;
}

/** Waits until the dev inbox holds `count` SMS for a phone, and returns the newest. */
export async function waitForSms(
  server: Pick<DevServer, "url">,
  phone: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<{ phone: string; message: string; timestamp: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await smsFor(server, phone);
    const newest = messages[count - 1] ? messages.at(-1) : undefined;
    if (newest) return newest;
    if (Date.now() > deadline) throw new Error(`no SMS #${count} for ${phone} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first run of digits of an SMS: the code. */
export function codeIn(message: string): string {
  const code = /\b\d{4,10}\b/.exec(message)?.[0];
  if (!code) throw new Error(`no code in ${JSON.stringify(message)}`);
  return code;
}
