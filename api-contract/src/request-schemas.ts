import type { RouteName } from "./routes.ts";

/**
 * Request body shapes API Gateway checks before invoking a function: plain JSON Schema draft-04
 * objects (API Gateway's model dialect). The CDK stack deploys them as models, and the dev server
 * checks bodies against them with Ajv.
 *
 * They check structure only: an object, the required string fields, nothing else. Value rules
 * (E.164 per libphonenumber, code length) stay in the handler, so the handler keeps answering
 * `invalid_phone` where API Gateway could only say `invalid_request`; the two never disagree on
 * which error code a body earns. What the validator refuses (malformed JSON, wrong types, unknown
 * fields such as `message` or `digits`) is what the handler would refuse with `invalid_request`,
 * and the BAD_REQUEST_BODY gateway response answers with that same code.
 */
export interface JsonSchemaDraft4 {
  readonly $schema?: "http://json-schema.org/draft-04/schema#";
  readonly title?: string;
  readonly type?: "object" | "string" | "number" | "integer" | "boolean" | "array" | "null";
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchemaDraft4>>;
  readonly additionalProperties?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

export const DRAFT_04 = "http://json-schema.org/draft-04/schema#";

export const requestSchemas: Readonly<Record<RouteName, JsonSchemaDraft4>> = {
  generate: {
    $schema: DRAFT_04,
    title: "GenerateRequest",
    type: "object",
    required: ["phone"],
    properties: {
      phone: { type: "string" },
      // The page's bot-challenge token (Cloudflare Turnstile), when the operator configured one.
      challenge: { type: "string" },
    },
    additionalProperties: false,
  },
  validate: {
    $schema: DRAFT_04,
    title: "ValidateRequest",
    type: "object",
    required: ["phone", "code"],
    properties: {
      phone: { type: "string" },
      code: { type: "string" },
    },
    additionalProperties: false,
  },
};

/** The media type the schemas are declared for; API Gateway takes a missing Content-Type as this. */
export const REQUEST_MEDIA_TYPE = "application/json";
