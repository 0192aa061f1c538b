/**
 * The CORS preflight of each route, as the CDK stack configures it (infra/lib/otp-api.ts:
 * `addCorsPreflight` with the route's method, `Content-Type`, one hour): an OPTIONS mock
 * integration answering 204. Actual responses get their CORS headers from the handlers.
 */
export const PREFLIGHT = {
  allowHeaders: ["Content-Type"],
  maxAgeSeconds: 3600,
  statusCode: 204,
} as const;

/**
 * The preflight answer's headers. `Access-Control-Allow-Origin` is given only to an origin on
 * the allow list (`*` only when configured). Where the deployed API would name its first allowed
 * origin to an outsider, the dev server names none: a browser refuses both alike.
 */
export function preflightHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
  methods: readonly string[],
): Record<string, string> {
  const anyOrigin = allowedOrigins.includes("*");
  const headers: Record<string, string> = {
    "access-control-allow-headers": PREFLIGHT.allowHeaders.join(","),
    "access-control-allow-methods": methods.join(","),
    "access-control-max-age": String(PREFLIGHT.maxAgeSeconds),
  };
  if (!anyOrigin) headers.vary = "Origin";
  if (anyOrigin) headers["access-control-allow-origin"] = "*";
  else if (origin !== undefined && allowedOrigins.includes(origin))
    headers["access-control-allow-origin"] = origin;
  return headers;
}
