import ajvDraft04 from "ajv-draft-04";
import { type JsonSchemaDraft4, REQUEST_MEDIA_TYPE } from "#api-contract";

/** The body check of one route: whether API Gateway would pass the request to the function. */
export type BodyValidator = (contentType: string | undefined, body: string | null) => boolean;

/**
 * API Gateway's request body validation: the route's draft-04 model (the same object the CDK
 * stack deploys), checked by Ajv's draft-04 build. Strict mode refuses a schema with a keyword Ajv
 * does not know, so the local check can never silently be weaker than the deployed one.
 *
 * API Gateway picks the model by the request's media type, taking a missing Content-Type as
 * `application/json`; a body of another type has no model and is not checked (the handler
 * answers 415).
 */
export function jsonBodyValidator(schema: JsonSchemaDraft4): BodyValidator {
  // A CommonJS module: its class is the default export's `default`.
  const ajv = new ajvDraft04.default({ strict: true, allErrors: false });
  const check = ajv.compile(schema);
  return (contentType, body) => {
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() || REQUEST_MEDIA_TYPE;
    if (mediaType !== REQUEST_MEDIA_TYPE) return true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body ?? "");
    } catch {
      return false;
    }
    return check(parsed);
  };
}
