import { gatewayResponses } from "../../../functions/src/http/gateway-responses.ts";

/**
 * Answers API Gateway gives by itself, never a function: the shared table
 * (functions/src/http/gateway-responses.ts, from which the CDK stack configures the deployed API)
 * plus the default answers the stack leaves as API Gateway words them.
 */
export interface GatewayAnswer {
  readonly statusCode: number;
  readonly body: Readonly<Record<string, unknown>>;
  /** Headers of this answer (e.g. Retry-After), before the CORS set every gateway answer gets. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `x-amzn-ErrorType` API Gateway sends with it. */
  readonly errorType: string;
}

export const GATEWAY = {
  /** The stage's token bucket is empty. */
  throttled: { ...gatewayResponses.throttled, errorType: "TooManyRequestsException" },
  /** No resource and method match: REST APIs answer 403, not 404. */
  unknownRoute: { ...gatewayResponses.unknownRoute, errorType: "MissingAuthenticationTokenException" },
  /** The function failed or returned something that is not a valid proxy result. */
  badIntegrationResult: {
    ...gatewayResponses.badIntegrationResult,
    errorType: "InternalServerErrorException",
  },
  /** The request validator refused the body (the route's model). */
  badRequestBody: { ...gatewayResponses.badRequestBody, errorType: "BadRequestException" },
  /** Over API Gateway's 10 MB payload limit. */
  requestTooLarge: { ...gatewayResponses.requestTooLarge, errorType: "RequestTooLargeException" },
  /** No answer within the integration timeout (a DEFAULT_5XX answer: API Gateway's own words). */
  integrationTimeout: {
    statusCode: 504,
    body: { message: "Endpoint request timed out" },
    headers: {},
    errorType: "InternalServerErrorException",
  },
} as const satisfies Record<string, GatewayAnswer>;

/**
 * The CORS headers the stack puts on every gateway answer so a browser can read it. A gateway
 * response can only carry a fixed origin, so it is the first allowed one (the site's).
 */
export function gatewayCorsHeaders(primaryOrigin: string | undefined): Record<string, string> {
  return {
    ...(primaryOrigin ? { "access-control-allow-origin": primaryOrigin } : {}),
    "access-control-expose-headers": "Retry-After",
    vary: "Origin",
    "cache-control": "no-store",
  };
}

/** API Gateway's integration timeout (REST APIs, default and usual maximum). */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** API Gateway's payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
