import type { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { z } from "zod";
import type { RouteName } from "#api-contract";
import { describeError } from "../commons/logger.ts";
import { OtpError } from "../domain/errors.ts";
import type { OtpService } from "../domain/otp-service.ts";
import { errorResponse } from "./error-mapper.ts";
import { header, readJsonBody, sourceIp } from "./request.ts";
import { corsHeaders, jsonResponse } from "./response.ts";

/** A Lambda handler for an API Gateway REST (v1) proxy integration. */
export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface EndpointDependencies {
  readonly service: OtpService;
  readonly allowedOrigins: readonly string[];
  readonly logger: Logger;
}

// Strict objects: unknown fields are refused, above all a client-supplied SMS text (`message`, an
// open relay for phishing) or code length (`digits`: a one-digit code falls to one guess).
const generateBody = z.strictObject({ phone: z.string().max(32) });
const validateBody = z.strictObject({ phone: z.string().max(32), code: z.string().max(32) });

/**
 * The handlers of every route, keyed by route name. Each is thin: parse the event, call the
 * domain, map the result or error; CORS and error shapes are shared.
 */
export function createEndpoints(deps: EndpointDependencies): Record<RouteName, ApiHandler> {
  const { service } = deps;
  return {
    generate: endpoint(deps, async (event) => {
      const body = readJsonBody(event, generateBody);
      const result = await service.generate({ phone: body.phone, sourceIp: sourceIp(event) });
      return jsonResponse(202, result);
    }),
    validate: endpoint(deps, async (event) => {
      const body = readJsonBody(event, validateBody);
      return jsonResponse(200, await service.validate(body));
    }),
  };
}

function endpoint(
  deps: EndpointDependencies,
  run: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): ApiHandler {
  return async (event, context) => {
    if (context) deps.logger.addContext(context);
    const cors = corsHeaders(header(event, "origin"), deps.allowedOrigins);
    try {
      const result = await run(event);
      return { ...result, headers: { ...result.headers, ...cors } };
    } catch (error) {
      if (!(error instanceof OtpError)) {
        deps.logger.error("otp.unexpected_error", describeError(error));
      } else if (error.code === "service_unavailable" || error.code === "sms_send_failed") {
        deps.logger.warn(`otp.${error.code}`, describeError(error));
      }
      return errorResponse(error, cors);
    }
  };
}
