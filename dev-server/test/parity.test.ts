import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayResponses } from "#api-contract";
import { loadConfig } from "#functions/config";
import type { ApiHandler } from "#functions/runtime";
import { createHandlers } from "#functions/runtime";
import { provisionLocalResources } from "#local-aws/resources";
import { apiGatewayEvent } from "#test-support/api-gateway-event";
import { PER_REQUEST_HEADERS } from "../src/api-gateway/gateway.ts";
import { type DevServer, startDevServer } from "../src/server.ts";
import { codeIn, waitForSms } from "./support/http.ts";

/**
 * Parity: the same request through the dev server (HTTP -> event -> bundled handler in its worker
 * -> result mapping -> HTTP) and straight to the handlers (`createHandlers` over the same
 * emulator) must give the same status, headers and body. Stateful calls use a different phone on
 * each path, so both start from the same state. Bodies the deployed API's request validator
 * refuses never reach a handler there, nor here: for those the contract is the status and code.
 */

const ENV = {
  OTP_TOKEN_SECRET: "parity-test-secret-parity-test-secret-0123",
  ALLOWED_ORIGINS: "https://app.example.com",
  OTP_MAX_SENDS_PER_IP_PER_HOUR: "1000",
};

let server: DevServer;
let handlers: Record<"generate" | "validate", ApiHandler>;

beforeAll(async () => {
  server = await startDevServer({ port: 0, quiet: true, env: ENV });
  // Provisioning is idempotent: this only looks the resources up.
  const resources = await provisionLocalResources({ endpoint: server.awsEndpoint, region: server.region });
  const config = loadConfig({
    ...ENV,
    STAGE: "local",
    TABLE_NAME: resources.tableName,
    SMS_CAPTURE_TOPIC_ARN: resources.topicArn,
    AWS_ENDPOINT_URL: server.awsEndpoint,
    AWS_REGION: server.region,
  });
  handlers = await createHandlers(config, {
    logger: new Logger({ serviceName: "parity", logLevel: "SILENT" }),
  });
}, 90_000);

afterAll(async () => {
  await server?.stop();
}, 30_000);

interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface Call {
  readonly path: "/generate" | "/validate";
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const DEFAULT_HEADERS = { "content-type": "application/json" };

/** The event a client's request becomes in API Gateway, from the shared factory (not the dev server's code). */
function directEvent(call: Call): APIGatewayProxyEvent {
  return apiGatewayEvent({
    path: call.path,
    rawBody: call.body,
    headers: { ...DEFAULT_HEADERS, ...call.headers, "user-agent": "parity" },
    sourceIp: "127.0.0.1",
  });
}

async function viaDevServer(call: Call): Promise<Outcome> {
  const response = await fetch(`${server.apiUrl}${call.path}`, {
    method: "POST",
    headers: { ...DEFAULT_HEADERS, ...call.headers, "user-agent": "parity" },
    body: call.body,
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Per-request ids and framing are the gateway's and the transport's, never the function's.
    if (!PER_REQUEST_HEADERS.includes(name) && name !== "content-length") headers[name] = value;
  });
  return { status: response.status, headers, body: JSON.parse(await response.text()) };
}

async function direct(call: Call): Promise<Outcome> {
  const name = call.path === "/generate" ? "generate" : "validate";
  const result = await handlers[name](directEvent(call));
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(result.headers ?? {}))
    headers[header.toLowerCase()] = String(value);
  for (const [header, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[header.toLowerCase()] = values.map(String).join(", ");
  }
  return { status: result.statusCode, headers, body: JSON.parse(result.body) };
}

/** Values that differ by nature between two calls (time-derived, per-phone) are checked, then masked. */
function normalise(outcome: Outcome, phone: string | undefined): Outcome {
  const body = structuredClone(outcome.body) as Record<string, unknown> & { error?: Record<string, unknown> };
  const headers = { ...outcome.headers };
  if (typeof body.token === "string") {
    expect(decodeJwt(body.token).sub).toBe(phone);
    body.token = "<jwt>";
  }
  if (headers["retry-after"] !== undefined) {
    expect(Number(headers["retry-after"])).toBeGreaterThan(0);
    headers["retry-after"] = "<seconds>";
  }
  if (body.error && typeof body.error.retryAfter === "number") body.error.retryAfter = "<seconds>";
  return { ...outcome, headers, body };
}

async function expectParity(
  dev: Call,
  straight: Call,
  phones: [string | undefined, string | undefined] = [undefined, undefined],
): Promise<Outcome> {
  const viaServer = await viaDevServer(dev);
  const viaHandler = await direct(straight);
  expect(normalise(viaServer, phones[0])).toEqual(normalise(viaHandler, phones[1]));
  return viaServer;
}

const same = (call: Call): [Call, Call] => [call, call];
const generate = (phone: string, headers?: Record<string, string>): Call => ({
  path: "/generate",
  body: JSON.stringify({ phone }),
  ...(headers ? { headers } : {}),
});
const validate = (phone: string, code: string): Call => ({
  path: "/validate",
  body: JSON.stringify({ phone, code }),
});

describe("the dev server and the handlers answer alike", () => {
  it.each([
    ["an invalid phone", same(generate("+1555"))],
    [
      "a non-JSON media type",
      same({ path: "/validate", body: "x", headers: { "content-type": "text/plain" } }),
    ],
    ["a body over 4 KiB", same({ path: "/generate", body: JSON.stringify({ phone: "x".repeat(5000) }) })],
    ["a code of the wrong shape", same(validate("+14155550199", "12"))],
  ])("for %s", async (_name, [dev, straight]) => {
    const outcome = await expectParity(dev, straight);
    expect(outcome.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ["malformed JSON", { path: "/generate", body: "{not json" }],
    [
      "an unknown field (client-supplied SMS text)",
      { path: "/generate", body: '{"phone":"+14155550199","message":"hi"}' },
    ],
    ["a missing field", { path: "/validate", body: '{"phone":"+14155550199"}' }],
  ] as const)(
    "for %s, which the deployed API's request validator refuses first: same status and code",
    async (_name, call) => {
      const viaServer = await viaDevServer(call);
      const viaHandler = await direct(call);
      // The dev server answers as API Gateway does (the stack's BAD_REQUEST_BODY response)...
      expect({ status: viaServer.status, body: viaServer.body }).toEqual({
        status: gatewayResponses.badRequestBody.statusCode,
        body: gatewayResponses.badRequestBody.body,
      });
      // ...and a client cannot tell it from the handler's own answer by status or error code.
      expect(viaHandler.status).toBe(viaServer.status);
      expect(viaHandler.body).toMatchObject({ error: { code: "invalid_request" } });
    },
  );

  it("for CORS on actual requests, allowed origin or not", async () => {
    const allowed = await expectParity(
      generate("+1555", { origin: "https://app.example.com" }),
      generate("+1555", { origin: "https://app.example.com" }),
    );
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    const other = await expectParity(
      generate("+1555", { origin: "https://evil.example" }),
      generate("+1555", { origin: "https://evil.example" }),
    );
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("through a whole verification: send, resend too soon, wrong code, right code, replay", async () => {
    const viaServer = "+14155550111";
    const viaHandler = "+14155550112";

    const sent = await expectParity(generate(viaServer), generate(viaHandler));
    expect(sent.status).toBe(202);

    const tooSoon = await expectParity(generate(viaServer), generate(viaHandler));
    expect(tooSoon.status).toBe(429);

    // Both SMS went through the same topic into the same outbox, so the inbox has both.
    const [codeA, codeB] = [
      codeIn((await waitForSms(server, viaServer)).message),
      codeIn((await waitForSms(server, viaHandler)).message),
    ];
    const wrong = (code: string) => `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;
    const denied = await expectParity(validate(viaServer, wrong(codeA)), validate(viaHandler, wrong(codeB)));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: "invalid_code", attemptsRemaining: 4 } });

    const approved = await expectParity(validate(viaServer, codeA), validate(viaHandler, codeB), [
      viaServer,
      viaHandler,
    ]);
    expect(approved.status).toBe(200);

    const replay = await expectParity(validate(viaServer, codeA), validate(viaHandler, codeB));
    expect(replay.status).toBe(410);
  });
});
