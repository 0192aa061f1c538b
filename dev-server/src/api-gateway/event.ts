import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { matchesMediaType } from "./media-types.ts";

/** What the HTTP server knows about one request, before it becomes a proxy event. */
export interface IncomingRequest {
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  /** Header names and values in arrival order, names in the client's casing (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** The raw body; undefined or empty when there is none. */
  readonly body: Buffer | undefined;
  /** The TCP peer: what API Gateway reports as `identity.sourceIp` (never X-Forwarded-For). */
  readonly sourceIp: string;
  /** The port the client connected to (X-Forwarded-Port). */
  readonly localPort: number;
  readonly httpVersion: string;
}

/** The parts of a REST API deployment an event names. */
export interface ApiStage {
  readonly stage: string;
  readonly accountId: string;
  readonly apiId: string;
  /** Content types API Gateway passes to the function base64-encoded (the API's binaryMediaTypes). */
  readonly binaryMediaTypes: readonly string[];
}

/** The per-request identifiers API Gateway assigns; they also go back as response headers. */
export interface RequestIds {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly traceId: string;
}

/** Fresh identifiers in API Gateway's formats. */
export function newRequestIds(nowMs: number): RequestIds {
  const epochHex = Math.floor(nowMs / 1000).toString(16);
  return {
    requestId: randomUUID(),
    // API Gateway's extended id is a short base64-like token such as "Kq3sAFvnIAMEcXw=".
    extendedRequestId: `${randomBytes(11).toString("base64").slice(0, 15)}=`,
    traceId: `Root=1-${epochHex}-${randomBytes(12).toString("hex")}`,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `requestTime` in API Gateway's (Common Log Format) shape: `04/Mar/2020:19:15:17 +0000`. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => n.toString().padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} +0000`;
}

function headerMaps(rawHeaders: readonly string[]) {
  const multi: Record<string, string[]> = {};
  // Names keep the client's casing; the first spelling seen names the entry.
  const spelling = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    const value = rawHeaders[i + 1] ?? "";
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    multi[key] = [...(multi[key] ?? []), value];
  }
  return { multi, spelling };
}

function setHeader(
  multi: Record<string, string[]>,
  spelling: Map<string, string>,
  name: string,
  values: string[],
): void {
  const existing = spelling.get(name.toLowerCase());
  if (existing !== undefined && existing !== name) delete multi[existing];
  spelling.set(name.toLowerCase(), name);
  multi[name] = values;
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

function queryMaps(url: string) {
  const at = url.indexOf("?");
  if (at < 0) return { single: null, multi: null };
  const multi: Record<string, string[]> = {};
  for (const pair of url.slice(at + 1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
    if (name === "") continue;
    multi[name] = [...(multi[name] ?? []), value];
  }
  const names = Object.keys(multi);
  if (names.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  for (const name of names) single[name] = multi[name]?.at(-1) ?? "";
  return { single, multi };
}

function pathOf(url: string): string {
  const at = url.indexOf("?");
  return at < 0 ? url : url.slice(0, at);
}

/**
 * Builds the REST API (v1) Lambda proxy event API Gateway would send for this request: single and
 * multi-value headers and query parameters (null when there are none), the body as text (or
 * base64 for the API's binary media types), the forwarding headers API Gateway adds, and a
 * `requestContext` with the stage, ids, time and caller identity.
 */
export function buildProxyEvent(
  request: IncomingRequest,
  resource: string,
  api: ApiStage,
  ids: RequestIds,
  nowMs: number,
): APIGatewayProxyEvent {
  const { multi: headers, spelling } = headerMaps(request.rawHeaders);
  const forwardedFor = headers[spelling.get("x-forwarded-for") ?? ""]?.join(", ");
  setHeader(headers, spelling, "X-Forwarded-For", [
    forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp,
  ]);
  setHeader(headers, spelling, "X-Forwarded-Port", [String(request.localPort)]);
  setHeader(headers, spelling, "X-Forwarded-Proto", ["http"]);
  setHeader(headers, spelling, "X-Amzn-Trace-Id", [ids.traceId]);
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) single[name] = values.at(-1) ?? "";

  const contentType = single[spelling.get("content-type") ?? ""];
  const body = request.body && request.body.length > 0 ? request.body : undefined;
  const binary = body !== undefined && matchesMediaType(contentType, api.binaryMediaTypes);
  const query = queryMaps(request.url);
  const path = pathOf(request.url);
  const host = single[spelling.get("host") ?? ""] ?? "localhost";
  const hostName = host.replace(/:\d+$/, "");

  return {
    resource,
    path,
    httpMethod: request.method,
    headers: single,
    multiValueHeaders: headers,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      authorizer: undefined,
      domainName: hostName,
      domainPrefix: hostName.split(".")[0] ?? hostName,
      extendedRequestId: ids.extendedRequestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: single[spelling.get("user-agent") ?? ""] ?? null,
        userArn: null,
      },
      path: `/${api.stage}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: ids.requestId,
      requestTime: clfTime(nowMs),
      requestTimeEpoch: nowMs,
      // A resource id is stable per resource in API Gateway.
      resourceId: createHash("sha256").update(resource).digest("hex").slice(0, 6),
      resourcePath: resource,
      stage: api.stage,
    },
    body: body === undefined ? null : binary ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: binary,
  };
}

/** Node reports IPv4 peers on dual-stack sockets as `::ffff:127.0.0.1`; API Gateway shows `127.0.0.1`. */
export function normalizeIp(address: string | undefined): string {
  if (!address) return "127.0.0.1";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
