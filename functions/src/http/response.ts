import type { APIGatewayProxyResult } from "aws-lambda";

export type Headers = Record<string, string>;

const SECURITY_HEADERS: Headers = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

/** The one way handlers build a response: JSON body plus the headers every response carries. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Headers = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * CORS headers for an actual (non-preflight) response. With Lambda proxy integration API Gateway
 * adds nothing, so the function must echo an allowed Origin itself; others get no CORS headers.
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Headers {
  if (!origin) return {};
  const allowAny = allowedOrigins.includes("*");
  if (!allowAny && !allowedOrigins.includes(origin)) return { vary: "Origin" };
  return {
    "access-control-allow-origin": allowAny ? "*" : origin,
    // The page reads Retry-After to show the resend countdown.
    "access-control-expose-headers": "Retry-After",
    vary: "Origin",
  };
}
