import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SmsInbox } from "../src/inbox/sms-inbox.ts";
import { GENERATE_BODY, OK_RESULT, type RecordingApp, recordingApp, TEST_API } from "./support/recording.ts";

const JSON_TYPE = { "content-type": "application/json" };
/** A request every check before the function passes. */
const post = (url = "/generate", headers: Record<string, string> = {}) =>
  ({
    method: "POST",
    url,
    headers: { ...JSON_TYPE, ...headers },
    payload: url.startsWith("/validate") ? '{"phone":"+14155550123","code":"123456"}' : GENERATE_BODY,
  }) as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the proxy event a function receives", () => {
  let rec: RecordingApp;
  beforeAll(async () => {
    rec = await recordingApp();
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it("carries every field API Gateway fills for a REST API proxy integration", async () => {
    const response = await rec.app.inject({
      method: "POST",
      url: "/generate?lang=en&tag=a&tag=b&q=one%20two",
      headers: {
        "content-type": "application/json",
        "user-agent": "fidelity-test/1.0",
        "x-multi": ["first", "second"],
        "x-forwarded-for": "203.0.113.9",
      },
      payload: '{"phone":"+14155550123"}',
    });
    expect(response.statusCode).toBe(200);
    const { event, route } = rec.events.at(-1) ?? expect.unreachable();
    expect(route).toBe("generate");
    expect(event).toMatchObject({
      resource: "/generate",
      path: "/generate",
      httpMethod: "POST",
      pathParameters: null,
      stageVariables: null,
      body: '{"phone":"+14155550123"}',
      isBase64Encoded: false,
      queryStringParameters: { lang: "en", tag: "b", q: "one two" },
      multiValueQueryStringParameters: { lang: ["en"], tag: ["a", "b"], q: ["one two"] },
    });
    expect(event.headers["content-type"]).toBe("application/json");
    expect(event.headers["x-multi"]).toBe("second");
    expect(event.multiValueHeaders["x-multi"]).toEqual(["first", "second"]);
    // API Gateway appends the caller's address to a client-sent X-Forwarded-For and adds its own.
    expect(event.headers["X-Forwarded-For"]).toBe("203.0.113.9, 127.0.0.1");
    expect(event.headers["x-forwarded-for"]).toBeUndefined();
    expect(event.headers["X-Forwarded-Proto"]).toBe("http");
    expect(event.headers["X-Amzn-Trace-Id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    const context = event.requestContext;
    expect(context).toMatchObject({
      accountId: TEST_API.accountId,
      apiId: TEST_API.apiId,
      stage: "v1",
      httpMethod: "POST",
      resourcePath: "/generate",
      path: "/v1/generate",
      protocol: "HTTP/1.1",
      requestTimeEpoch: Date.UTC(2030, 0, 2, 3, 4, 5),
      requestTime: "02/Jan/2030:03:04:05 +0000",
    });
    expect(context.requestId).toMatch(UUID);
    expect(response.headers["x-amzn-requestid"]).toBe(context.requestId);
    // The caller's address is the TCP peer, never the spoofable X-Forwarded-For.
    expect(context.identity.sourceIp).toBe("127.0.0.1");
    expect(context.identity.userAgent).toBe("fidelity-test/1.0");
    expect(context.identity.user).toBeNull();
    // Absent without an authorizer, as on the wire.
    expect("authorizer" in context).toBe(false);
  });

  it("has null query maps and a null body when there are none", async () => {
    // text/plain: no request model applies, so the empty body reaches the function.
    await rec.app.inject({ method: "POST", url: "/validate", headers: { "content-type": "text/plain" } });
    const { event } = rec.events.at(-1) ?? expect.unreachable();
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.resource).toBe("/validate");
  });

  it("passes a body of another type through untouched, as text (the API declares no binary media types)", async () => {
    await rec.app.inject({
      method: "POST",
      url: "/generate",
      headers: { "content-type": "text/plain" },
      payload: "not json at all",
    });
    expect(rec.events.at(-1)?.event.body).toBe("not json at all");
    expect(rec.events.at(-1)?.event.headers["content-type"]).toBe("text/plain");
  });

  it("matches a trailing slash like API Gateway, keeping the path as sent", async () => {
    const response = await rec.app.inject(post("/generate/"));
    expect(response.statusCode).toBe(200);
    expect(rec.events.at(-1)?.event).toMatchObject({ resource: "/generate", path: "/generate/" });
  });
});

describe("binary media types", () => {
  let rec: RecordingApp;
  beforeAll(async () => {
    rec = await recordingApp({ api: { ...TEST_API, binaryMediaTypes: ["application/octet-stream"] } });
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it("base64-encodes a body of a binary media type and flags it", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await rec.app.inject({
      method: "POST",
      url: "/generate",
      headers: { "content-type": "application/octet-stream" },
      payload: bytes,
    });
    const { event } = rec.events.at(-1) ?? expect.unreachable();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64")).toEqual(bytes);
  });

  it("decodes a base64 result when the Accept type is binary, and sends base64 text otherwise", async () => {
    const bytes = Buffer.from([9, 8, 7, 0, 255]);
    rec.answer({
      statusCode: 200,
      headers: { "content-type": "application/octet-stream" },
      body: bytes.toString("base64"),
      isBase64Encoded: true,
    });
    const binary = await rec.app.inject(post("/generate", { accept: "application/octet-stream" }));
    expect(binary.rawPayload).toEqual(bytes);

    const text = await rec.app.inject(post("/generate", { accept: "application/json" }));
    expect(text.body).toBe(bytes.toString("base64"));
    expect(rec.lines.some((line) => line.level === "warn" && line.text.includes("binaryMediaTypes"))).toBe(
      true,
    );
  });
});

describe("mapping the function's result", () => {
  let rec: RecordingApp;
  beforeAll(async () => {
    rec = await recordingApp();
  });
  afterEach(() => {
    rec.answer(OK_RESULT);
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it("sends status, headers and body, merging multiValueHeaders as API Gateway does", async () => {
    rec.answer({
      statusCode: 418,
      headers: { "x-single": "one", "x-both": "shared", "content-type": "text/plain" },
      multiValueHeaders: { "set-cookie": ["a=1", "b=2"], "x-both": ["shared", "extra"] },
      body: "short and stout",
    });
    const response = await rec.app.inject(post());
    expect(response.statusCode).toBe(418);
    expect(response.body).toBe("short and stout");
    expect(response.headers["x-single"]).toBe("one");
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    // A value given in both appears once.
    expect(response.headers["x-both"]).toEqual(["shared", "extra"]);
    expect(response.headers["x-amzn-requestid"]).toMatch(UUID);
    expect(response.headers["x-amz-apigw-id"]).toBeTypeOf("string");
  });

  it("defaults Content-Type to application/json and accepts a result without a body", async () => {
    rec.answer({ statusCode: 200 });
    const response = await rec.app.inject(post());
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe("");
    rec.answer({ statusCode: 204, headers: {}, body: "" });
    expect((await rec.app.inject(post())).statusCode).toBe(204);
  });

  it("adds no CORS headers of its own to a function's response", async () => {
    const response = await rec.app.inject(post("/generate", { origin: "http://localhost:5173" }));
    expect(response.statusCode).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });

  const malformed: [string, unknown, string][] = [
    ["no statusCode", { body: "{}" }, "statusCode"],
    ["a string statusCode", { statusCode: "200", body: "{}" }, "statusCode"],
    ["a fractional statusCode", { statusCode: 200.5, body: "{}" }, "statusCode"],
    ["an object body", { statusCode: 200, body: { ok: true } }, "body must be a string"],
    ["a number header", { statusCode: 200, headers: { "x-n": 1 }, body: "" }, "headers.x-n"],
    [
      "a bad multiValueHeaders",
      { statusCode: 200, multiValueHeaders: { "x-a": "one" }, body: "" },
      "multiValueHeaders",
    ],
    ["an unknown field", { statusCode: 200, body: "", cookies: ["a=1"] }, "cookies"],
    ["null", null, "not a proxy result"],
    ["a bare string", "hello", "not a proxy result"],
  ];
  it.each(malformed)(
    "answers 502 Internal server error for %s, saying why in the log",
    async (_name, result, why) => {
      rec.answer(result);
      const before = rec.lines.length;
      const response = await rec.app.inject(post());
      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({ message: "Internal server error" });
      expect(response.headers["content-type"]).toBe("application/json");
      const logged = rec.lines.slice(before).filter((line) => line.level === "error");
      expect(logged).toHaveLength(1);
      expect(logged[0]?.text).toContain("Malformed Lambda proxy response");
      expect(logged[0]?.text).toContain(why);
    },
  );

  it("answers 502 when the function throws, logging the error", async () => {
    rec.answer(() => {
      throw new TypeError("boom in the handler");
    });
    const before = rec.lines.length;
    const response = await rec.app.inject(post("/validate"));
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({ message: "Internal server error" });
    expect(rec.lines.slice(before).find((line) => line.level === "error")?.text).toContain(
      "boom in the handler",
    );
  });
});

describe("the request validator (the stack's body models)", () => {
  let rec: RecordingApp;
  beforeAll(async () => {
    rec = await recordingApp();
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it.each([
    ["malformed JSON", "/generate", "{not json", JSON_TYPE],
    ["an unknown field", "/generate", '{"phone":"+14155550123","digits":1}', JSON_TYPE],
    ["a missing field", "/validate", '{"phone":"+14155550123"}', JSON_TYPE],
    [
      "a wrong type",
      "/generate",
      '{"phone":14155550123}',
      { "content-type": "application/json; charset=utf-8" },
    ],
    ["an array", "/generate", "[]", JSON_TYPE],
    ["no body and no Content-Type (taken as JSON)", "/generate", undefined, {}],
  ] as const)(
    "refuses %s with the gateway's 400 before any function runs",
    async (_name, url, payload, headers) => {
      const before = rec.events.length;
      const response = await rec.app.inject({
        method: "POST",
        url,
        headers,
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: {
          code: "invalid_request",
          message: "The request body is not a JSON object of the expected shape.",
        },
      });
      expect(response.headers["x-amzn-errortype"]).toBe("BadRequestException");
      expect(rec.events.length).toBe(before);
    },
  );

  it("lets a body of the model's shape through, and leaves other media types to the function", async () => {
    expect((await rec.app.inject(post())).statusCode).toBe(200);
    const other = await rec.app.inject({
      method: "POST",
      url: "/generate",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "phone=1",
    });
    expect(other.statusCode).toBe(200);
    expect(rec.events.at(-1)?.event.body).toBe("phone=1");
  });
});

describe("gateway answers", () => {
  let rec: RecordingApp;
  beforeAll(async () => {
    rec = await recordingApp({ integrationTimeoutMs: 50 });
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it.each([
    ["GET", "/generate"],
    ["POST", "/nope"],
    ["GET", "/nope"],
    ["DELETE", "/validate"],
    ["OPTIONS", "/nope"],
  ] as const)(
    "answers %s %s with 403 Missing Authentication Token, as a REST API does",
    async (method, url) => {
      const before = rec.events.length;
      const response = await rec.app.inject({ method, url });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ message: "Missing Authentication Token" });
      expect(response.headers["x-amzn-errortype"]).toBe("MissingAuthenticationTokenException");
      expect(rec.events.length).toBe(before);
    },
  );

  it("answers 504 Endpoint request timed out when the function does not answer in time", async () => {
    rec.answer(() => new Promise(() => undefined));
    const response = await rec.app.inject(post());
    expect(response.statusCode).toBe(504);
    expect(response.json()).toEqual({ message: "Endpoint request timed out" });
    rec.answer(OK_RESULT);
  });
});

describe("CORS preflight", () => {
  it("echoes an allowed origin with the methods, headers and max-age", async () => {
    const rec = await recordingApp({
      allowedOrigins: () => ["http://localhost:5173", "https://app.example.com"],
    });
    try {
      const response = await rec.app.inject({
        method: "OPTIONS",
        url: "/generate",
        headers: {
          origin: "https://app.example.com",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expect(response.statusCode).toBe(204);
      expect(response.headers).toMatchObject({
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": "Content-Type",
        "access-control-max-age": "3600",
        vary: "Origin",
      });
      // Answered by the gateway (mock integration), never by a function.
      expect(rec.events).toHaveLength(0);
    } finally {
      await rec.app.close();
    }
  });

  it("gives no allow-origin to an origin off the list, and never * unless configured", async () => {
    const rec = await recordingApp({ allowedOrigins: () => ["http://localhost:5173"] });
    try {
      const denied = await rec.app.inject({
        method: "OPTIONS",
        url: "/validate",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(denied.statusCode).toBe(204);
      expect(denied.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await rec.app.close();
    }
    const open = await recordingApp({ allowedOrigins: () => ["*"] });
    try {
      const response = await open.app.inject({
        method: "OPTIONS",
        url: "/validate",
        headers: { origin: "https://anyone.example" },
      });
      expect(response.headers["access-control-allow-origin"]).toBe("*");
    } finally {
      await open.app.close();
    }
  });
});

describe("stage throttle", () => {
  it("refuses requests beyond the burst with 429 Too Many Requests, and refills at the rate", async () => {
    const rec = await recordingApp({ throttle: { rateLimit: 1, burstLimit: 2 } });
    try {
      const send = () => rec.app.inject(post());
      expect((await send()).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(200);
      const throttled = await send();
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json()).toEqual({ message: "Too Many Requests" });
      expect(throttled.headers["retry-after"]).toBe("1");
      expect(throttled.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
      expect(rec.events).toHaveLength(2);
      // Preflights count too: the stage throttle covers every method.
      expect((await rec.app.inject({ method: "OPTIONS", url: "/generate" })).statusCode).toBe(429);
      rec.advance(1000);
      expect((await send()).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(429);
    } finally {
      await rec.app.close();
    }
  });
});

describe("dev-only routes", () => {
  let rec: RecordingApp;
  const inbox = new SmsInbox();
  beforeAll(async () => {
    inbox.add({
      phone: "+14155550123",
      message: "111111 is your Demo code.",
      timestamp: "2030-01-01T00:00:01.000Z",
    });
    inbox.add({
      phone: "+447911123456",
      message: '<script>alert("x")</script> 222222 & more',
      timestamp: "2030-01-01T00:00:02.000Z",
    });
    rec = await recordingApp({ inbox });
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it("answers GET /health", async () => {
    const response = await rec.app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok" });
  });

  it("answers GET /health with 503 until the functions are up", async () => {
    const starting = await recordingApp({ ready: () => false });
    try {
      const response = await starting.app.inject({ method: "GET", url: "/health" });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: "starting" });
    } finally {
      await starting.app.close();
    }
  });

  it("answers GET /_dev/stats with the server's memory and each function's heap", async () => {
    const measured = await recordingApp({
      functionHeaps: async () => ({ generate: 7_000_000, validate: undefined }),
    });
    try {
      const response = await measured.app.inject({ method: "GET", url: "/_dev/stats" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["cache-control"]).toBe("no-store");
      const stats = response.json();
      expect(stats.rssBytes).toBeGreaterThanOrEqual(stats.heapUsedBytes);
      expect(stats.heapUsedBytes).toBeGreaterThan(0);
      expect(stats.externalBytes).toBeGreaterThan(0);
      expect(stats.functions).toEqual({
        generate: { heapUsedBytes: 7_000_000 },
        validate: { heapUsedBytes: null },
      });
      expect(stats.collected).toBe(false);
      expect(stats.emulator).toBeNull();
    } finally {
      await measured.app.close();
    }
  });

  it("collects garbage everywhere before reading with ?gc=1, when Node exposes gc", async () => {
    const asked: boolean[] = [];
    const measured = await recordingApp({
      functionHeaps: async (collect) => {
        asked.push(collect);
        return { generate: 7_000_000 };
      },
      emulatorMemory: async (collect) => {
        asked.push(collect);
        return { heapUsedBytes: 9_000_000, externalBytes: 3_000_000 };
      },
    });
    const global = globalThis as { gc?: () => void };
    const exposed = global.gc;
    let collections = 0;
    try {
      // Without --expose-gc (as here) the query is answered, uncollected.
      global.gc = undefined;
      const plain = await measured.app.inject({ method: "GET", url: "/_dev/stats?gc=1" });
      expect(plain.json().collected).toBe(false);
      global.gc = () => {
        collections++;
      };
      const collected = await measured.app.inject({ method: "GET", url: "/_dev/stats?gc=1" });
      expect(collected.json().collected).toBe(true);
      expect(collected.json().emulator).toEqual({ heapUsedBytes: 9_000_000, externalBytes: 3_000_000 });
      expect(collections).toBe(1);
      const notAsked = await measured.app.inject({ method: "GET", url: "/_dev/stats" });
      expect(notAsked.json().collected).toBe(false);
      expect(collections).toBe(1);
      // The functions and the emulator are each asked once per request.
      expect(asked).toEqual([false, false, true, true, false, false]);
    } finally {
      global.gc = exposed;
      await measured.app.close();
    }
  });

  it("points the page at its own origin with /config.json", async () => {
    const response = await rec.app.inject({ method: "GET", url: "/config.json" });
    expect(response.json()).toEqual({ apiUrl: "" });
  });

  it("lists captured SMS oldest first, optionally for one phone", async () => {
    const all = await rec.app.inject({ method: "GET", url: "/_dev/sms" });
    expect(all.json()).toEqual({
      messages: [
        {
          phone: "+14155550123",
          message: "111111 is your Demo code.",
          timestamp: "2030-01-01T00:00:01.000Z",
        },
        {
          phone: "+447911123456",
          message: '<script>alert("x")</script> 222222 & more',
          timestamp: "2030-01-01T00:00:02.000Z",
        },
      ],
    });
    const one = await rec.app.inject({
      method: "GET",
      url: `/_dev/sms?phone=${encodeURIComponent("+14155550123")}`,
    });
    expect(one.json().messages).toHaveLength(1);
    expect(one.json().messages[0].phone).toBe("+14155550123");
  });

  it("renders the inbox page with every SMS escaped and a strict content security policy", async () => {
    const response = await rec.app.inject({ method: "GET", url: "/_dev/inbox" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/html");
    expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(response.body).not.toContain("<script>alert");
    expect(response.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 222222 &amp; more");
    expect(response.body).toContain("111111 is your Demo code.");
    // Newest first on the page.
    expect(response.body.indexOf("222222")).toBeLessThan(response.body.indexOf("111111"));
    expect(response.body).toMatch(/data-last-id="[0-9a-f]{8}\.2"/);

    const filtered = await rec.app.inject({ method: "GET", url: "/_dev/inbox?phone=%22%3E%3Cb%3E" });
    expect(filtered.body).toContain('data-phone="&quot;&gt;&lt;b&gt;"');
    expect(filtered.body).not.toContain("111111");
  });

  it("serves the inbox script and styles from its own origin", async () => {
    const script = await rec.app.inject({ method: "GET", url: "/_dev/inbox.js" });
    expect(script.headers["content-type"]).toContain("text/javascript");
    expect(script.body).toContain("EventSource");
    expect(script.body).toContain("textContent");
    expect(script.body).not.toContain("innerHTML");
    const styles = await rec.app.inject({ method: "GET", url: "/_dev/inbox.css" });
    expect(styles.headers["content-type"]).toContain("text/css");
  });

  it("serves a placeholder page when there is no built page", async () => {
    const response = await rec.app.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("not built");
  });
});

describe("over real HTTP", () => {
  let rec: RecordingApp;
  let port: number;
  beforeAll(async () => {
    rec = await recordingApp();
    await rec.app.listen({ port: 0, host: "127.0.0.1" });
    port = (rec.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await rec.app.close();
  });

  it("keeps the client's header casing and repeated headers, and reports the TCP peer as sourceIp", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port, method: "POST", path: "/generate?a=1" },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      request.setHeader("Content-Type", "application/json");
      request.setHeader("X-Custom-Header", ["one", "two"]);
      request.end('{"phone":"+14155550123"}');
    });
    expect(status).toBe(200);
    const { event } = rec.events.at(-1) ?? expect.unreachable();
    expect(event.headers["Content-Type"]).toBe("application/json");
    expect(event.multiValueHeaders["X-Custom-Header"]).toEqual(["one", "two"]);
    expect(event.headers.Host).toBe(`127.0.0.1:${port}`);
    expect(event.headers["X-Forwarded-Port"]).toBe(String(port));
    expect(event.requestContext.identity.sourceIp).toBe("127.0.0.1");
    expect(event.requestContext.domainName).toBe("127.0.0.1");
    expect(event.body).toBe('{"phone":"+14155550123"}');
  });
});

describe("the live inbox stream", () => {
  let rec: RecordingApp;
  let base: string;
  const inbox = new SmsInbox();
  const sms = (phone: string, message: string) => ({ phone, message, timestamp: new Date().toISOString() });

  beforeAll(async () => {
    inbox.add(sms("+14155550123", "111111 first"));
    inbox.add(sms("+14155550124", "222222 second"));
    rec = await recordingApp({ inbox });
    await rec.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(rec.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await rec.app.close();
  });

  /** Opens the stream and collects `count` sms events. */
  async function events(query: string, count: number, headers: Record<string, string> = {}) {
    const controller = new AbortController();
    const response = await fetch(`${base}/_dev/sms/stream${query}`, { headers, signal: controller.signal });
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader() ?? expect.unreachable();
    let text = "";
    try {
      while ((text.match(/event: sms\n/g) ?? []).length < count || !text.endsWith("\n\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
    return [...text.matchAll(/id: (\S+)\nevent: sms\ndata: (.*)\n/g)].map((match) => ({
      id: match[1] ?? "",
      ...(JSON.parse(match[2] ?? "{}") as { phone: string; message: string; timestamp: string }),
    }));
  }

  it("replays what a page has not shown yet, then each new SMS, and filters by phone", async () => {
    const page = await rec.app.inject({ method: "GET", url: "/_dev/inbox" });
    const cursor = /data-last-id="([^"]+)"/.exec(page.body)?.[1] ?? expect.unreachable();
    setTimeout(() => inbox.add(sms("+14155550123", "333333 third")), 50);
    const received = await events(`?after=${encodeURIComponent(cursor)}`, 1);
    expect(received.map((event) => event.message)).toEqual(["333333 third"]);
    expect(Object.keys(received[0] ?? {}).sort()).toEqual(["id", "message", "phone", "timestamp"]);

    const filtered = await events(`?phone=${encodeURIComponent("+14155550123")}`, 2);
    expect(filtered.map((event) => event.message)).toEqual(["111111 first", "333333 third"]);
  });

  it("resumes after Last-Event-ID, and sends everything to a browser that knew an earlier boot", async () => {
    const all = await events("", 3);
    expect(all).toHaveLength(3);
    const resumed = await events("", 1, { "last-event-id": all[1]?.id ?? "" });
    expect(resumed.map((event) => event.message)).toEqual(["333333 third"]);
    const [, id] = /^[0-9a-f]+\.(\d+)$/.exec(all[2]?.id ?? "") ?? [];
    const fromEarlierBoot = await events("", 3, { "last-event-id": `00000000.${id}` });
    expect(fromEarlierBoot).toHaveLength(3);
  });
});
