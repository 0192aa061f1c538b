/**
 * Answers API Gateway gives by itself, before or instead of a function. The CDK stack configures
 * the deployed API's gateway responses from these tables and the dev server answers from them, so
 * a client sees the same status, headers and body locally and in AWS.
 *
 * Where the gateway only pre-empts a check the handler would make (body shape, size, media type),
 * it answers in the service's `{"error": {...}}` format. Its own failures (throttling, unknown
 * routes, a broken integration) keep API Gateway's `{"message": ...}` bodies, which is what
 * clients of any REST API on AWS already handle. Every one of them carries CORS headers.
 */
export interface GatewayResponse {
  /** API Gateway's gateway response type. */
  readonly type: string;
  readonly statusCode: number;
  readonly body: Readonly<Record<string, unknown>>;
  /** Headers of this answer (e.g. Retry-After), besides the CORS set every gateway answer gets. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `x-amzn-ErrorType` API Gateway sends with it. */
  readonly errorType: string;
}

/** Answers the stack configures explicitly, with the body and headers given here. */
export const gatewayResponses = {
  /** The stage's token bucket is empty. */
  throttled: {
    type: "THROTTLED",
    statusCode: 429,
    body: { message: "Too Many Requests" },
    headers: { "retry-after": "1" },
    errorType: "TooManyRequestsException",
  },
  /** No resource and method match: REST APIs answer 403, not 404. */
  unknownRoute: {
    type: "MISSING_AUTHENTICATION_TOKEN",
    statusCode: 403,
    body: { message: "Missing Authentication Token" },
    headers: {},
    errorType: "MissingAuthenticationTokenException",
  },
  /** The request validator refused the body (the route's request schema). */
  badRequestBody: {
    type: "BAD_REQUEST_BODY",
    statusCode: 400,
    body: {
      error: {
        code: "invalid_request",
        message: "The request body is not a JSON object of the expected shape.",
      },
    },
    headers: {},
    errorType: "BadRequestException",
  },
  /** Over API Gateway's payload limit. */
  requestTooLarge: {
    type: "REQUEST_TOO_LARGE",
    statusCode: 413,
    body: { error: { code: "payload_too_large", message: "The request body is too large." } },
    headers: {},
    errorType: "RequestTooLargeException",
  },
  unsupportedMediaType: {
    type: "UNSUPPORTED_MEDIA_TYPE",
    statusCode: 415,
    body: { error: { code: "unsupported_media_type", message: "Send the body as application/json." } },
    headers: {},
    errorType: "UnsupportedMediaTypeException",
  },
} as const satisfies Record<string, GatewayResponse>;

/**
 * Answers API Gateway words itself: the stack only adds CORS headers to them (through the
 * DEFAULT_4XX / DEFAULT_5XX responses, whose body is API Gateway's own message).
 */
export const defaultGatewayAnswers = {
  /** The function failed or returned something that is not a valid proxy result. */
  badIntegrationResult: {
    type: "DEFAULT_5XX",
    statusCode: 502,
    body: { message: "Internal server error" },
    headers: {},
    errorType: "InternalServerErrorException",
  },
  /** No answer within the integration timeout. */
  integrationTimeout: {
    type: "INTEGRATION_TIMEOUT",
    statusCode: 504,
    body: { message: "Endpoint request timed out" },
    headers: {},
    errorType: "InternalServerErrorException",
  },
} as const satisfies Record<string, GatewayResponse>;

/**
 * The CORS headers on every gateway answer, so a browser can read it. A gateway response can only
 * carry a fixed origin, so it is the first allowed one (the site's).
 */
export function gatewayCorsHeaders(primaryOrigin: string | undefined): Record<string, string> {
  return {
    ...(primaryOrigin ? { "access-control-allow-origin": primaryOrigin } : {}),
    "access-control-expose-headers": "Retry-After",
    vary: "Origin",
    "cache-control": "no-store",
  };
}
