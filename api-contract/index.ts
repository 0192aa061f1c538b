/**
 * The API contract: everything API Gateway (the CDK stack) and its local stand-in (the dev
 * server) must agree on. Nothing here depends on aws-cdk-lib, Fastify or the handlers' code.
 */
export { FUNCTION_BUILD_OPTIONS, FUNCTION_SETTINGS } from "./src/function-settings.ts";
export {
  defaultGatewayAnswers,
  type GatewayResponse,
  gatewayCorsHeaders,
  gatewayResponses,
} from "./src/gateway-responses.ts";
export {
  DRAFT_04,
  type JsonSchemaDraft4,
  REQUEST_MEDIA_TYPE,
  requestSchemas,
} from "./src/request-schemas.ts";
export {
  API_STAGE_NAME,
  API_THROTTLE,
  CORS_PREFLIGHT,
  INTEGRATION_TIMEOUT_MS,
  MAX_PAYLOAD_BYTES,
  MAX_REQUEST_BODY_BYTES,
  type ThrottleLimits,
} from "./src/rest-api.ts";
export { REPO_ROOT, type RouteDefinition, type RouteName, routes, type TableAction } from "./src/routes.ts";
