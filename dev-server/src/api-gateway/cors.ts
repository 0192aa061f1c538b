import { CORS_PREFLIGHT } from "#api-contract";

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
    "access-control-allow-headers": CORS_PREFLIGHT.allowHeaders.join(","),
    "access-control-allow-methods": methods.join(","),
    "access-control-max-age": String(CORS_PREFLIGHT.maxAgeSeconds),
  };
  if (!anyOrigin) headers.vary = "Origin";
  if (anyOrigin) headers["access-control-allow-origin"] = "*";
  else if (origin !== undefined && allowedOrigins.includes(origin))
    headers["access-control-allow-origin"] = origin;
  return headers;
}
