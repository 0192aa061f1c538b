/**
 * Answers API Gateway gives by itself, before or instead of a handler. The CDK stack configures
 * its gateway responses from this table and the dev server answers from it, so a client sees the
 * same status and body locally and in AWS.
 *
 * Where the gateway only pre-empts a check the handler would make (body shape, size, media type),
 * it answers in the service's `{"error": {...}}` format. Its own failures (throttling, unknown
 * routes, a broken integration) keep API Gateway's `{"message": ...}` bodies, which is what
 * clients of any REST API on AWS already handle; CORS headers are added to all of them.
 */
export interface GatewayResponse {
  /** API Gateway's gateway response type. */
  readonly type: string;
  readonly statusCode: number;
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
}

export const gatewayResponses = {
  throttled: {
    type: "THROTTLED",
    statusCode: 429,
    body: { message: "Too Many Requests" },
    headers: { "retry-after": "1" },
  },
  unknownRoute: {
    type: "MISSING_AUTHENTICATION_TOKEN",
    statusCode: 403,
    body: { message: "Missing Authentication Token" },
    headers: {},
  },
  badIntegrationResult: {
    type: "DEFAULT_5XX",
    statusCode: 502,
    body: { message: "Internal server error" },
    headers: {},
  },
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
  },
  requestTooLarge: {
    type: "REQUEST_TOO_LARGE",
    statusCode: 413,
    body: { error: { code: "payload_too_large", message: "The request body is too large." } },
    headers: {},
  },
  unsupportedMediaType: {
    type: "UNSUPPORTED_MEDIA_TYPE",
    statusCode: 415,
    body: { error: { code: "unsupported_media_type", message: "Send the body as application/json." } },
    headers: {},
  },
} as const satisfies Record<string, GatewayResponse>;
