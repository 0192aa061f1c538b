import { type JsonSchema, JsonSchemaType, JsonSchemaVersion } from "aws-cdk-lib/aws-apigateway";
import type { RouteDefinition } from "../../functions/src/http/routes.ts";

/**
 * Request body shapes API Gateway checks before invoking a function (design.md section 3).
 *
 * They check structure only: an object, the required string fields, nothing else. Value rules
 * (E.164 per libphonenumber, code length) stay in the handler, so the handler keeps answering
 * `invalid_phone` where API Gateway could only say `invalid_request`; the two never disagree on
 * which error code a body earns. What the validator refuses (malformed JSON, wrong types, unknown
 * fields such as `message` or `digits`) is what the handler would refuse with `invalid_request`,
 * and the BAD_REQUEST_BODY gateway response answers with that same code.
 */
export const REQUEST_SCHEMAS: Readonly<Record<RouteDefinition["name"], JsonSchema>> = {
  generate: {
    schema: JsonSchemaVersion.DRAFT4,
    title: "GenerateRequest",
    type: JsonSchemaType.OBJECT,
    required: ["phone"],
    properties: {
      phone: { type: JsonSchemaType.STRING },
    },
    additionalProperties: false,
  },
  validate: {
    schema: JsonSchemaVersion.DRAFT4,
    title: "ValidateRequest",
    type: JsonSchemaType.OBJECT,
    required: ["phone", "code"],
    properties: {
      phone: { type: JsonSchemaType.STRING },
      code: { type: JsonSchemaType.STRING },
    },
    additionalProperties: false,
  },
};
