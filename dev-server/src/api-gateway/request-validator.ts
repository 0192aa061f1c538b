import type { JsonSchema } from "aws-cdk-lib/aws-apigateway";

/**
 * API Gateway's request body validation for the routes' models (infra/lib/request-models.ts):
 * a JSON Schema draft 4 check of the body, for the content type the model is declared for.
 * Only the keywords below are emulated; a model using any other one is refused when the dev
 * server starts, so the local check can never silently be weaker than the deployed one.
 */

type Check = (value: unknown) => boolean;

const IGNORED = new Set(["schema", "title", "description", "id"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Compiles a model into a check of parsed JSON values.
 * @throws Error naming a keyword the dev server does not emulate.
 */
export function compileSchema(schema: JsonSchema, where = "model"): Check {
  const checks: Check[] = [];
  for (const [keyword, setting] of Object.entries(schema)) {
    if (IGNORED.has(keyword) || setting === undefined) continue;
    switch (keyword) {
      case "type": {
        const types = (Array.isArray(setting) ? setting : [setting]) as string[];
        checks.push((value) => {
          const actual = typeOf(value);
          return types.includes(actual) || (actual === "integer" && types.includes("number"));
        });
        break;
      }
      case "required": {
        const names = setting as string[];
        checks.push((value) => !isRecord(value) || names.every((name) => Object.hasOwn(value, name)));
        break;
      }
      case "properties": {
        const properties = Object.entries(setting as Record<string, JsonSchema>).map(
          ([name, property]) => [name, compileSchema(property, `${where}.${name}`)] as const,
        );
        checks.push(
          (value) =>
            !isRecord(value) ||
            properties.every(([name, check]) => !Object.hasOwn(value, name) || check(value[name])),
        );
        break;
      }
      case "additionalProperties": {
        const known = Object.keys(schema.properties ?? {});
        const extra =
          typeof setting === "boolean" ? () => setting : compileSchema(setting as JsonSchema, where);
        checks.push(
          (value) =>
            !isRecord(value) ||
            Object.keys(value)
              .filter((name) => !known.includes(name))
              .every((name) => extra(value[name])),
        );
        break;
      }
      case "enum": {
        const allowed = (setting as unknown[]).map((item) => JSON.stringify(item));
        checks.push((value) => allowed.includes(JSON.stringify(value)));
        break;
      }
      case "minLength":
        checks.push((value) => typeof value !== "string" || [...value].length >= (setting as number));
        break;
      case "maxLength":
        checks.push((value) => typeof value !== "string" || [...value].length <= (setting as number));
        break;
      case "pattern": {
        const pattern = new RegExp(setting as string, "u");
        checks.push((value) => typeof value !== "string" || pattern.test(value));
        break;
      }
      default:
        throw new Error(`${where}: the dev server does not emulate the JSON Schema keyword "${keyword}"`);
    }
  }
  return (value) => checks.every((check) => check(value));
}

/** The body check of one route: whether API Gateway would pass the request to the function. */
export type BodyValidator = (contentType: string | undefined, body: string | null) => boolean;

/**
 * The validator for a route whose model is declared for `application/json`. API Gateway picks
 * the model by the request's media type, taking a missing Content-Type as `application/json`;
 * a body of another type has no model and is not checked (the handler answers 415).
 */
export function jsonBodyValidator(schema: JsonSchema, where: string): BodyValidator {
  const check = compileSchema(schema, where);
  return (contentType, body) => {
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() || "application/json";
    if (mediaType !== "application/json") return true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body ?? "");
    } catch {
      return false;
    }
    return check(parsed);
  };
}
