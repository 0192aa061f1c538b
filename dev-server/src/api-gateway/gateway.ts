import type { APIGatewayProxyEvent } from "aws-lambda";
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  CORS_PREFLIGHT,
  defaultGatewayAnswers,
  type GatewayResponse,
  gatewayCorsHeaders,
  gatewayResponses,
  INTEGRATION_TIMEOUT_MS,
  type RouteDefinition,
  type RouteName,
  requestSchemas,
  type ThrottleLimits,
} from "#api-contract";
import type { DevLog } from "../log.ts";
import { preflightHeaders } from "./cors.ts";
import { type ApiStage, buildProxyEvent, newRequestIds, normalizeIp, type RequestIds } from "./event.ts";
import { type BodyValidator, jsonBodyValidator } from "./request-validator.ts";
import { mapProxyResult } from "./result.ts";
import { TokenBucket } from "./throttle.ts";

/** Runs one route's function with a proxy event and returns its raw result (a rejection is a function error). */
type InvokeFunction = (route: RouteDefinition, event: APIGatewayProxyEvent) => Promise<unknown>;

export interface GatewayOptions {
  readonly routes: readonly RouteDefinition[];
  readonly invoke: InvokeFunction;
  /** Body models checked before a function runs (API Gateway's request validator); the contract's by default. */
  readonly requestModels?: Partial<Record<RouteName, Parameters<typeof jsonBodyValidator>[0]>>;
  /** The CORS allow list, for preflights and gateway answers (read per request: known only after listen). */
  readonly allowedOrigins: () => readonly string[];
  readonly throttle: ThrottleLimits;
  readonly api: ApiStage;
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

function requestIdHeaders(ids: RequestIds): Record<string, string> {
  return {
    "x-amzn-requestid": ids.requestId,
    "x-amz-apigw-id": ids.extendedRequestId,
    "x-amzn-trace-id": ids.traceId,
  };
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
 * The API Gateway stand-in (REST API, Lambda proxy integration) for the route table: each request
 * goes stage throttle -> request validator -> proxy event -> function -> result mapping, and
 * every refusal on the way is the gateway answer the deployed API gives. Also the OPTIONS
 * preflights and the 403 for unknown routes.
 */
export function registerApiGateway(app: FastifyInstance, options: GatewayOptions): void {
  const { routes, log } = options;
  const now = options.now ?? Date.now;
  const bucket = new TokenBucket(options.throttle, now);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const apiPaths = new Set<string>(routes.map((route) => route.path));
  const models = options.requestModels ?? requestSchemas;
  const validators = new Map<string, BodyValidator>();
  for (const route of routes) {
    const model = models[route.name];
    if (model) validators.set(route.name, jsonBodyValidator(model));
  }

  const gatewayAnswer = (reply: FastifyReply, answer: GatewayResponse, ids = newRequestIds(now())) =>
    reply
      .code(answer.statusCode)
      .headers({
        ...gatewayCorsHeaders(options.allowedOrigins()[0]),
        ...answer.headers,
        ...requestIdHeaders(ids),
        "content-type": "application/json",
        "x-amzn-errortype": answer.errorType,
      })
      // A Buffer: Fastify would append "; charset=utf-8" to a string, and API Gateway sends none.
      .send(Buffer.from(JSON.stringify(answer.body)));

  // API Gateway hands the function the body as received, whatever its type: keep raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const code = (error as { code?: unknown }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return gatewayAnswer(reply, gatewayResponses.requestTooLarge);
    if (apiPaths.has(request.routeOptions.url ?? "")) {
      log.error(`${request.method} ${request.url} → 502: the dev server failed: ${describeFailure(error)}`);
      return gatewayAnswer(reply, defaultGatewayAnswers.badIntegrationResult);
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
  app.setNotFoundHandler((_request, reply) => gatewayAnswer(reply, gatewayResponses.unknownRoute));

  for (const route of routes) {
    const validator = validators.get(route.name);
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const started = performance.now();
        const requestTime = now();
        const ids = newRequestIds(requestTime);
        const answer = (response: GatewayResponse, level: "warn" | "error", why: string) => {
          log[level](`${route.method} ${route.path} → ${response.statusCode} from the gateway: ${why}`);
          return gatewayAnswer(reply, response, ids);
        };
        if (!bucket.tryTake()) {
          const { rateLimit, burstLimit } = options.throttle;
          return answer(
            gatewayResponses.throttled,
            "warn",
            `stage throttle (rate ${rateLimit}/s, burst ${burstLimit})`,
          );
        }
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        if (validator && !validator(request.headers["content-type"], body ? body.toString("utf8") : null)) {
          return answer(
            gatewayResponses.badRequestBody,
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
              defaultGatewayAnswers.integrationTimeout,
              "error",
              `no answer from the ${route.name} function within ${integrationTimeoutMs} ms`,
            );
          }
          return answer(
            defaultGatewayAnswers.badIntegrationResult,
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
            defaultGatewayAnswers.badIntegrationResult,
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
          .headers({ ...response.headers, ...requestIdHeaders(ids) })
          .send(response.body);
      },
    });
  }

  for (const path of apiPaths) {
    const methods = routes.filter((route) => route.path === path).map((route) => route.method);
    // The OPTIONS mock integration of the deployed API: answered by the gateway, never a function.
    app.options(path, async (request, reply) => {
      const ids = newRequestIds(now());
      if (!bucket.tryTake()) return gatewayAnswer(reply, gatewayResponses.throttled, ids);
      return reply
        .code(CORS_PREFLIGHT.statusCode)
        .headers({
          ...preflightHeaders(request.headers.origin, options.allowedOrigins(), methods),
          ...requestIdHeaders(ids),
          "content-type": "application/json",
        })
        .send();
    });
  }
}
