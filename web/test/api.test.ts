import { describe, expect, it } from "vitest";
import {
  ApiClient,
  endpointUrl,
  loadPageConfig,
  parseApiResponse,
  parseConfig,
  parseRetryAfter,
} from "../src/api.ts";

const NOW = Date.parse("2026-01-01T12:00:00Z");

describe("parseApiResponse", () => {
  it("returns the body of a 2xx JSON response", () => {
    expect(parseApiResponse(202, '{"status":"pending","expiresIn":300,"resendIn":30}', null, NOW)).toEqual({
      kind: "ok",
      status: 202,
      body: { status: "pending", expiresIn: 300, resendIn: 30 },
    });
  });

  it("returns the error object with its extra fields and the Retry-After header", () => {
    const body = JSON.stringify({
      error: { code: "rate_limited", message: "Wait", retryAfter: 27, reason: "resend_cooldown" },
    });
    expect(parseApiResponse(429, body, "27", NOW)).toEqual({
      kind: "error",
      status: 429,
      code: "rate_limited",
      message: "Wait",
      details: { code: "rate_limited", message: "Wait", retryAfter: 27, reason: "resend_cooldown" },
      retryAfterHeader: 27,
    });
  });

  it.each([
    [502, "<html>Bad gateway</html>"],
    [500, ""],
    [200, "not json"],
    [200, "[1,2]"],
    [403, '{"message":"Forbidden"}'],
    [400, '{"error":"a string"}'],
  ])("turns a %i response with body %j into unexpected_response", (status, text) => {
    const result = parseApiResponse(status, text, null, NOW);
    expect(result).toMatchObject({ kind: "error", status, code: "unexpected_response" });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter(" 30 ", NOW)).toBe(30);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:01:30 GMT", NOW)).toBe(90);
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", NOW)).toBe(0);
  });
  it("ignores a missing or unreadable header", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
  });
});

describe("config.json and endpoint URLs", () => {
  it.each([
    [
      { apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/prod/" },
      "https://abc.execute-api.us-east-1.amazonaws.com/prod/",
    ],
    [{ apiUrl: "" }, ""],
    [{ apiUrl: 42 }, ""],
    [{}, ""],
    [null, ""],
    ["https://example.com", ""],
  ])("parseConfig(%j).apiUrl is %j", (json, apiUrl) => {
    expect(parseConfig(json)).toEqual({ apiUrl, turnstileSiteKey: undefined });
  });

  it.each([
    [{ turnstileSiteKey: "0x4AAAAAAAB-c_d" }, "0x4AAAAAAAB-c_d"],
    [{ turnstileSiteKey: " 1x00000000000000000000AA " }, "1x00000000000000000000AA"],
    [{ turnstileSiteKey: "" }, undefined],
    [{ turnstileSiteKey: 'x" onload="alert(1)' }, undefined],
    [{ turnstileSiteKey: 7 }, undefined],
  ])("parseConfig(%j).turnstileSiteKey is %j", (json, key) => {
    expect(parseConfig(json).turnstileSiteKey).toBe(key);
  });

  it("calls the same origin when apiUrl is empty, whatever the page path", () => {
    expect(endpointUrl("", "generate", "http://localhost:3000/")).toBe("http://localhost:3000/generate");
    expect(endpointUrl("", "validate", "https://d1.cloudfront.net/app/index.html")).toBe(
      "https://d1.cloudfront.net/validate",
    );
  });

  it("appends the operation to an API Gateway stage URL with or without a trailing slash", () => {
    const base = "https://abc.execute-api.us-east-1.amazonaws.com/prod";
    expect(endpointUrl(base, "generate", "https://d1.cloudfront.net/")).toBe(`${base}/generate`);
    expect(endpointUrl(`${base}/`, "validate", "https://d1.cloudfront.net/")).toBe(`${base}/validate`);
  });
});

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

describe("loadPageConfig", () => {
  it("reads config.json next to the page", async () => {
    const seen: string[] = [];
    const config = await loadPageConfig(async (url) => {
      seen.push(url);
      return jsonResponse(200, { apiUrl: "https://api.example.com/prod", turnstileSiteKey: "0x4AAA" });
    }, "https://d1.cloudfront.net/app/index.html");
    expect(config).toEqual({ apiUrl: "https://api.example.com/prod", turnstileSiteKey: "0x4AAA" });
    expect(seen).toEqual(["https://d1.cloudfront.net/app/config.json"]);
  });

  it("falls back to the same origin when config.json is missing, broken or unreachable", async () => {
    const page = "http://localhost:3000/";
    const same = { apiUrl: "", turnstileSiteKey: undefined };
    expect(await loadPageConfig(async () => new Response("Not found", { status: 404 }), page)).toEqual(same);
    expect(await loadPageConfig(async () => new Response("{oops", { status: 200 }), page)).toEqual(same);
    expect(
      await loadPageConfig(async () => {
        throw new TypeError("Failed to fetch");
      }, page),
    ).toEqual(same);
  });
});

describe("ApiClient", () => {
  it("posts JSON bodies with only the contract's fields to the configured API", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const client = new ApiClient(
      Promise.resolve("https://api.example.com/prod"),
      "https://site.example/",
      async (url, init) => {
        calls.push({ url, init });
        return jsonResponse(202, { status: "pending", expiresIn: 300, resendIn: 30 });
      },
    );
    await client.generate("+14155550123");
    await client.generate("+14155550123", "turnstile-token");
    await client.validate("+14155550123", "012345");
    expect(calls.map((call) => [call.url, call.init?.method, call.init?.body])).toEqual([
      ["https://api.example.com/prod/generate", "POST", '{"phone":"+14155550123"}'],
      [
        "https://api.example.com/prod/generate",
        "POST",
        '{"phone":"+14155550123","challenge":"turnstile-token"}',
      ],
      ["https://api.example.com/prod/validate", "POST", '{"phone":"+14155550123","code":"012345"}'],
    ]);
    expect(new Headers(calls[0]?.init?.headers).get("content-type")).toBe("application/json");
  });

  it("reports a failed fetch as a network result instead of throwing", async () => {
    const client = new ApiClient(Promise.resolve(""), "http://localhost:3000/", async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await client.generate("+14155550123")).toEqual({ kind: "network" });
  });

  it("passes the Retry-After header through", async () => {
    const client = new ApiClient(Promise.resolve(""), "http://localhost:3000/", async () =>
      jsonResponse(429, { error: { code: "rate_limited", message: "Wait" } }, { "retry-after": "12" }),
    );
    expect(await client.generate("+14155550123")).toMatchObject({
      code: "rate_limited",
      retryAfterHeader: 12,
    });
  });
});
