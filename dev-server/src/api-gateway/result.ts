import { matchesMediaType } from "./media-types.ts";

/** An HTTP response ready to send: header values are lists when a header repeats. */
interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export type MappedResult =
  | { readonly ok: true; readonly response: HttpResponse; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** The keys a REST API proxy integration accepts in a function's result (any other one is a 502). */
const RESULT_KEYS = ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"];

/**
 * Framing headers are the server's business: API Gateway computes them (and remaps a function's
 * own), so a stale Content-Length from a handler cannot corrupt the response.
 */
const FRAMING_HEADERS = ["content-length", "transfer-encoding", "connection"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * Checks a function's result the way API Gateway does for a Lambda proxy integration and maps it
 * to an HTTP response, or explains why API Gateway would answer `502 Internal server error`
 * ("Malformed Lambda proxy response"). Headers and multiValueHeaders are merged as API Gateway
 * does (a value given in both appears once); a base64 body is decoded only when the request's
 * Accept type is one of the API's binaryMediaTypes, else it is sent as the base64 text.
 */
export function mapProxyResult(
  result: unknown,
  request: { readonly accept: string | undefined; readonly binaryMediaTypes: readonly string[] },
): MappedResult {
  if (!isRecord(result)) {
    return { ok: false, reason: `the function returned ${describe(result)}, not a proxy result object` };
  }
  const unknownKeys = Object.keys(result).filter((key) => !RESULT_KEYS.includes(key));
  if (unknownKeys.length > 0) {
    return {
      ok: false,
      reason: `the result has field(s) ${unknownKeys.join(", ")}; a REST API accepts only ${RESULT_KEYS.join(", ")}`,
    };
  }
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return {
      ok: false,
      reason: `statusCode must be an integer HTTP status (got ${statusCode === undefined ? "none" : describe(statusCode)})`,
    };
  }
  if (!absent(body) && typeof body !== "string") {
    return { ok: false, reason: `body must be a string (got ${describe(body)}); JSON.stringify it` };
  }
  if (!absent(isBase64Encoded) && typeof isBase64Encoded !== "boolean") {
    return { ok: false, reason: `isBase64Encoded must be a boolean (got ${describe(isBase64Encoded)})` };
  }

  const merged = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string) => {
    const entry = merged.get(name.toLowerCase()) ?? { name, values: [] };
    if (!entry.values.includes(value)) entry.values.push(value);
    merged.set(name.toLowerCase(), entry);
  };
  if (!absent(multiValueHeaders)) {
    if (!isRecord(multiValueHeaders)) {
      return {
        ok: false,
        reason: `multiValueHeaders must be an object (got ${describe(multiValueHeaders)})`,
      };
    }
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every((value) => typeof value === "string")) {
        return {
          ok: false,
          reason: `multiValueHeaders.${name} must be an array of strings (got ${describe(values)})`,
        };
      }
      for (const value of values) add(name, value);
    }
  }
  if (!absent(headers)) {
    if (!isRecord(headers))
      return { ok: false, reason: `headers must be an object (got ${describe(headers)})` };
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== "string") {
        return { ok: false, reason: `headers.${name} must be a string (got ${describe(value)})` };
      }
      add(name, value);
    }
  }

  const warnings: string[] = [];
  const out: Record<string, string | string[]> = {};
  for (const [lower, { name, values }] of merged) {
    if (FRAMING_HEADERS.includes(lower)) {
      warnings.push(`the ${name} header of the result was dropped (API Gateway sets framing headers itself)`);
      continue;
    }
    out[name] = values.length === 1 ? (values[0] ?? "") : values;
  }
  // API Gateway's default when a proxy result names no type.
  if (!merged.has("content-type")) out["content-type"] = "application/json";

  const text = typeof body === "string" ? body : "";
  let bytes = Buffer.from(text, "utf8");
  if (isBase64Encoded === true) {
    if (matchesMediaType(request.accept, request.binaryMediaTypes)) {
      bytes = Buffer.from(text, "base64");
    } else {
      warnings.push(
        "isBase64Encoded is true but the request's Accept type is not one of the API's binaryMediaTypes, so the body is sent as base64 text (as API Gateway does)",
      );
    }
  }
  return { ok: true, response: { statusCode, headers: out, body: bytes }, warnings };
}
