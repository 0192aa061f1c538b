/**
 * Settings of the REST API itself (not of a route) that the CDK stack deploys and the dev server
 * emulates. "API stage" here always means API Gateway's stage, the path segment of the deployed
 * URL; where the service runs (local, dev, prod) is the deployment stage, a different thing.
 */

/** The deployed API's stage: the path segment after the host (`.../v1/generate`). */
export const API_STAGE_NAME = "v1";

/**
 * The stage throttle (a token bucket: `rateLimit` requests per second, `burstLimit` at once).
 * Set with `API_THROTTLE_RATE_LIMIT` / `API_THROTTLE_BURST_LIMIT`: environment variables of the
 * dev server, CDK context keys of the stack. The maxima are API Gateway's default account quota
 * per region, which caps what a stage may be given.
 */
export const API_THROTTLE = {
  rateLimit: { default: 50, max: 10_000 },
  burstLimit: { default: 100, max: 5_000 },
} as const;

export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * The CORS preflight every route answers (an OPTIONS mock integration in API Gateway, emulated
 * by the dev server); actual responses get their CORS headers from the handlers.
 */
export const CORS_PREFLIGHT = {
  allowHeaders: ["Content-Type"],
  maxAgeSeconds: 3600,
  statusCode: 204,
} as const;

/** API Gateway's integration timeout for REST APIs (the default, and the usual maximum). */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** API Gateway's payload limit; the handlers enforce their own, far smaller one. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The largest request body the service takes: the handlers answer 413 above it, and in AWS the
 * API's web ACL refuses such bodies before they reach a function.
 */
export const MAX_REQUEST_BODY_BYTES = 4096;
