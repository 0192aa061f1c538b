import type { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import * as v from "valibot";
import { describeError } from "../commons/logger.ts";
import type { CodeSender } from "../domain/code-sender.ts";
import type { CodeVerifier } from "../domain/code-verifier.ts";
import { OtpError } from "../domain/errors.ts";
import { errorResponse } from "./error-mapper.ts";
import { header, readJsonBody, sourceIp } from "./request.ts";
import { corsHeaders, jsonResponse } from "./response.ts";

/** A Lambda handler for an API Gateway REST (v1) proxy integration. */
export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** What every endpoint shares: the CORS allow list and the logger. */
export interface EndpointContext {
  readonly allowedOrigins: readonly string[];
  readonly logger: Logger;
  /** After every request, whatever its outcome (writes the request's metrics). */
  readonly afterRequest?: () => void;
}

// Strict objects: unknown fields are refused, above all a client-supplied SMS text (`message`, an
// open relay for phishing) or code length (`digits`: a one-digit code falls to one guess).
const phone = v.pipe(v.string(), v.maxLength(32));
const generateBody = v.strictObject({
  phone,
  // The token of the page's bot challenge (Cloudflare Turnstile), when one is configured.
  challenge: v.optional(v.pipe(v.string(), v.maxLength(4096))),
});
const validateBody = v.strictObject({ phone, code: v.pipe(v.string(), v.maxLength(32)) });

/** POST /generate: thin on purpose; every decision is the domain's. */
export function generateEndpoint(sender: CodeSender, context: EndpointContext): ApiHandler {
  return endpoint(context, async (event) => {
    const body = readJsonBody(event, generateBody);
    return jsonResponse(
      202,
      await sender.generate({ phone: body.phone, sourceIp: sourceIp(event), challengeToken: body.challenge }),
    );
  });
}

/** POST /validate. */
export function validateEndpoint(verifier: CodeVerifier, context: EndpointContext): ApiHandler {
  return endpoint(context, async (event) => {
    const body = readJsonBody(event, validateBody);
    return jsonResponse(200, await verifier.validate(body));
  });
}

/** Parse, run, map: CORS on every answer and the one error mapper for every failure. */
function endpoint(
  context: EndpointContext,
  run: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): ApiHandler {
  return async (event, lambdaContext) => {
    if (lambdaContext) context.logger.addContext(lambdaContext);
    const cors = corsHeaders(header(event, "origin"), context.allowedOrigins);
    try {
      const result = await run(event);
      return { ...result, headers: { ...result.headers, ...cors } };
    } catch (error) {
      if (!(error instanceof OtpError)) {
        context.logger.error("otp.unexpected_error", describeError(error));
      } else if (error.code === "service_unavailable" || error.code === "sms_send_failed") {
        context.logger.warn(`otp.${error.code}`, describeError(error));
      }
      return errorResponse(error, cors);
    } finally {
      context.afterRequest?.();
    }
  };
}
