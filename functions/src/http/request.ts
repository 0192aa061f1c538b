import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { MAX_REQUEST_BODY_BYTES } from "#api-contract";
import { OtpError } from "../domain/errors.ts";

/** Case-insensitive header lookup: API Gateway keeps the client's casing. */
export function header(event: Pick<APIGatewayProxyEvent, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * Reads a JSON body and validates it against a strict schema, in the order a client can act on:
 * media type (415), size (413), syntax and shape (400).
 * @throws OtpError `unsupported_media_type`, `payload_too_large` or `invalid_request`.
 */
export function readJsonBody<Schema extends v.GenericSchema>(
  event: APIGatewayProxyEvent,
  schema: Schema,
): v.InferOutput<Schema> {
  const mediaType = header(event, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new OtpError(
      "unsupported_media_type",
      "Send the body as JSON with content-type: application/json.",
    );
  }
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.byteLength > MAX_REQUEST_BODY_BYTES) {
    throw new OtpError("payload_too_large", `The body must be at most ${MAX_REQUEST_BODY_BYTES} bytes.`, {
      maxBytes: MAX_REQUEST_BODY_BYTES,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new OtpError("invalid_request", "The body is not valid JSON.");
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) {
    const problems = result.issues.map((issue) => {
      const where = v.getDotPath(issue);
      // A strict object names an unknown field with an issue that expects nothing there.
      if (issue.expected === "never" && where) return `unknown field(s): ${where}`;
      if (issue.input === undefined && where) return `${where}: is required`;
      return `${where ?? "body"}: ${issue.message}`;
    });
    throw new OtpError("invalid_request", `The request body is not valid: ${problems.join("; ")}.`);
  }
  return result.output;
}

/** The caller's IP as API Gateway saw it. */
export function sourceIp(event: APIGatewayProxyEvent): string | undefined {
  const ip = event.requestContext?.identity?.sourceIp;
  return typeof ip === "string" && ip.length > 0 ? ip : undefined;
}
