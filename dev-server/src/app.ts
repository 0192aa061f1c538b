import type { JsonSchema } from "aws-cdk-lib/aws-apigateway";
import type { APIGatewayProxyEvent } from "aws-lambda";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { type RouteDefinition, routes as routeTable } from "../../functions/src/http/routes.ts";
import { REQUEST_SCHEMAS } from "../../infra/lib/request-models.ts";
import { PREFLIGHT, preflightHeaders } from "./api-gateway/cors.ts";
import {
  type ApiStage,
  buildProxyEvent,
  newRequestIds,
  normalizeIp,
  type RequestIds,
} from "./api-gateway/event.ts";
import {
  GATEWAY,
  type GatewayAnswer,
  gatewayCorsHeaders,
  INTEGRATION_TIMEOUT_MS,
  MAX_PAYLOAD_BYTES,
} from "./api-gateway/gateway-responses.ts";
import { type BodyValidator, jsonBodyValidator } from "./api-gateway/request-validator.ts";
import { mapProxyResult } from "./api-gateway/result.ts";
import { TokenBucket } from "./api-gateway/throttle.ts";
import { registerDevRoutes, registerPage } from "./dev-routes.ts";
import type { SmsInbox } from "./inbox/sms-inbox.ts";
import type { DevLog } from "./log.ts";

/** Runs one route's function with a proxy event and returns its raw result (a rejection is a function error). */
export type InvokeFunction = (route: RouteDefinition, event: APIGatewayProxyEvent) => Promise<unknown>;

export interface DevAppOptions {
  /** The routes to mount; the shared route table by default. */
  readonly routes?: readonly RouteDefinition[];
  readonly invoke: InvokeFunction;
  /** Body models checked before a function runs (API Gateway's request validator); the stack's by default. */
  readonly requestModels?: Partial<Record<RouteDefinition["name"], JsonSchema>>;
  /** The CORS allow list, for preflights and gateway answers (read per request: known only after listen). */
  readonly allowedOrigins: () => readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly api: ApiStage;
  /** The captured SMS; without it the /_dev/sms routes answer 503. */
  readonly inbox?: SmsInbox | undefined;
  /** Directory of the built page; a placeholder page is served when it is missing. */
  readonly webRoot?: string | undefined;
  readonly log: DevLog;
  /** Clock for the throttle and request times (tests freeze it). */
  readonly now?: () => number;
  readonly integrationTimeoutMs?: number;
}

/** Per-request headers API Gateway adds to every answer; parity tests ignore them. */
export const PER_REQUEST_HEADERS = [
  "x-amzn-requestid",
  "x-amz-apigw-id",
  "x-amzn-trace-id",
  "date",
  "connection",
  "keep-alive",
];

function gatewayHeaders(ids: RequestIds): Record<string, string> {
  return {
    "x-amzn-requestid": ids.requestId,
    "x-amz-apigw-id": ids.extendedRequestId,
    "x-amzn-trace-id": ids.traceId,
  };
}

function sendGatewayResponse(
  reply: FastifyReply,
  answer: GatewayAnswer,
  ids: RequestIds,
  allowedOrigins: readonly string[],
) {
  return (
    reply
      .code(answer.statusCode)
      .headers({
        ...gatewayCorsHeaders(allowedOrigins[0]),
        ...answer.headers,
        ...gatewayHeaders(ids),
        "content-type": "application/json",
        "x-amzn-errortype": answer.errorType,
      })
      // A Buffer: Fastify would append "; charset=utf-8" to a string, and API Gateway sends none.
      .send(Buffer.from(JSON.stringify(answer.body)))
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The dev server as a Fastify plugin: API Gateway (REST API, Lambda proxy integration) in front of
 * the route table's functions, with the stage throttle, CORS preflights and gateway responses;
 * plus the dev-only routes (health, SMS inbox as JSON, page and event stream) and the page itself.
 */
export async function devServerApp(app: FastifyInstance, options: DevAppOptions): Promise<void> {
  const routes = options.routes ?? routeTable;
  const now = options.now ?? Date.now;
  const log = options.log;
  const bucket = new TokenBucket(options.throttle, now);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const apiPaths = new Set<string>(routes.map((route) => route.path));
  const models = options.requestModels ?? REQUEST_SCHEMAS;
  const validators = new Map<string, BodyValidator>();
  for (const route of routes) {
    const model = models[route.name];
    if (model) validators.set(route.name, jsonBodyValidator(model, `${route.name} request model`));
  }
  const gatewayAnswer = (
    reply: FastifyReply,
    answer: GatewayAnswer,
    ids: RequestIds = newRequestIds(now()),
  ) => sendGatewayResponse(reply, answer, ids, options.allowedOrigins());

  // API Gateway hands the function the body as received, whatever its type: keep raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const code = (error as { code?: unknown }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return gatewayAnswer(reply, GATEWAY.requestTooLarge);
    if (apiPaths.has(request.routeOptions.url ?? "")) {
      log.error(`${request.method} ${request.url} → 502: the dev server failed: ${describeFailure(error)}`);
      return gatewayAnswer(reply, GATEWAY.badIntegrationResult);
    }
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === "number"
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status >= 500) log.error(`${request.method} ${request.url} → ${status}: ${describeFailure(error)}`);
    return reply
      .code(status)
      .send({ message: status >= 500 ? "Internal server error" : describeFailure(error) });
  });

  // REST APIs answer an unknown resource or method with 403, not 404.
  app.setNotFoundHandler((_request, reply) => gatewayAnswer(reply, GATEWAY.unknownRoute));

  for (const route of routes) {
    const validator = validators.get(route.name);
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const started = performance.now();
        const requestTime = now();
        const ids = newRequestIds(requestTime);
        const answer = (response: GatewayAnswer, level: "warn" | "error", why: string) => {
          log[level](`${route.method} ${route.path} → ${response.statusCode} from the gateway: ${why}`);
          return gatewayAnswer(reply, response, ids);
        };
        if (!bucket.tryTake()) {
          const { rateLimit, burstLimit } = options.throttle;
          return answer(
            GATEWAY.throttled,
            "warn",
            `stage throttle (rate ${rateLimit}/s, burst ${burstLimit})`,
          );
        }
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        if (validator && !validator(request.headers["content-type"], body ? body.toString("utf8") : null)) {
          return answer(
            GATEWAY.badRequestBody,
            "warn",
            `the body does not match the ${route.name} request model`,
          );
        }
        const event = buildProxyEvent(
          {
            method: request.method,
            url: request.url,
            rawHeaders: request.raw.rawHeaders,
            body,
            sourceIp: normalizeIp(request.raw.socket.remoteAddress),
            localPort: request.raw.socket.localPort ?? 0,
            httpVersion: request.raw.httpVersion,
          },
          route.path,
          options.api,
          ids,
          requestTime,
        );
        let result: unknown;
        try {
          // The event crosses to Lambda as JSON: what the function gets is the wire shape.
          result = await withTimeout(
            options.invoke(route, JSON.parse(JSON.stringify(event))),
            integrationTimeoutMs,
          );
        } catch (error) {
          if (error instanceof IntegrationTimeout) {
            return answer(
              GATEWAY.integrationTimeout,
              "error",
              `no answer from the ${route.name} function within ${integrationTimeoutMs} ms`,
            );
          }
          return answer(
            GATEWAY.badIntegrationResult,
            "error",
            `the ${route.name} function failed: ${describeFailure(error)}`,
          );
        }
        const mapped = mapProxyResult(result, {
          accept: request.headers.accept,
          binaryMediaTypes: options.api.binaryMediaTypes,
        });
        if (!mapped.ok) {
          return answer(
            GATEWAY.badIntegrationResult,
            "error",
            `Malformed Lambda proxy response from ${route.name}: ${mapped.reason}`,
          );
        }
        for (const warning of mapped.warnings) log.warn(`${route.method} ${route.path}: ${warning}`);
        const { response } = mapped;
        log.info(
          `${route.method} ${route.path} → ${response.statusCode} (${Math.round(performance.now() - started)} ms)`,
        );
        return reply
          .code(response.statusCode)
          .headers({ ...response.headers, ...gatewayHeaders(ids) })
          .send(response.body);
      },
    });
  }

  for (const path of apiPaths) {
    const methods = routes.filter((route) => route.path === path).map((route) => route.method);
    // The OPTIONS mock integration of the deployed API: answered by the gateway, never a function.
    app.options(path, async (request, reply) => {
      const ids = newRequestIds(now());
      if (!bucket.tryTake()) return gatewayAnswer(reply, GATEWAY.throttled, ids);
      return reply
        .code(PREFLIGHT.statusCode)
        .headers({
          ...preflightHeaders(request.headers.origin, options.allowedOrigins(), methods),
          ...gatewayHeaders(ids),
          "content-type": "application/json",
        })
        .send();
    });
  }

  registerDevRoutes(app, { inbox: options.inbox });
  await registerPage(app, options.webRoot);
}

/** Options of the Fastify instance itself (shared by the dev server and the tests). */
export const FASTIFY_OPTIONS = {
  logger: false,
  // API Gateway's payload limit; the handlers enforce their own 4 KiB.
  bodyLimit: MAX_PAYLOAD_BYTES,
  // API Gateway matches /generate/ like /generate.
  routerOptions: { ignoreTrailingSlash: true },
  // Ctrl-C must not wait for a browser's idle keep-alive connection.
  forceCloseConnections: true,
} as const;

/** Builds the dev server app (not listening); tests call `inject` on it. */
export async function buildDevApp(options: DevAppOptions): Promise<FastifyInstance> {
  const app = Fastify(FASTIFY_OPTIONS);
  await devServerApp(app, options);
  await app.ready();
  return app;
}
