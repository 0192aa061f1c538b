/**
 * The one route table. The CDK stack builds API Gateway resources and one Lambda function per
 * entry from it, and the dev server mounts the same handlers on the same paths, so the deployed
 * API and the local one cannot drift apart.
 */

/** DynamoDB actions a handler performs on the OTP table (IAM least privilege is derived from this). */
export type TableAction =
  | "dynamodb:GetItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:PutItem"
  | "dynamodb:DeleteItem";

export interface RouteDefinition {
  /** Short name: used for the Lambda function id and log service name. */
  readonly name: "generate" | "validate";
  readonly method: "POST";
  readonly path: "/generate" | "/validate";
  /** The handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Every table action the handler can perform, including those on error and rollback paths. */
  readonly tableActions: readonly TableAction[];
  /** Whether the handler publishes SMS through SNS. */
  readonly publishesSms: boolean;
}

export const routes: readonly RouteDefinition[] = [
  {
    name: "generate",
    method: "POST",
    path: "/generate",
    entry: "functions/src/handlers/generate.ts",
    description: "Sends a fresh one-time code by SMS to an E.164 phone number.",
    // UpdateItem: the per-IP counter and the phone item; GetItem: why a send was refused (429);
    // PutItem / DeleteItem: rolling the phone item back after a failed SMS publish.
    tableActions: ["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
    publishesSms: true,
  },
  {
    name: "validate",
    method: "POST",
    path: "/validate",
    entry: "functions/src/handlers/validate.ts",
    description: "Checks a code, consumes it and returns a signed verification token.",
    // UpdateItem: count the attempt, then consume the code; GetItem: why an attempt was refused.
    tableActions: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
    publishesSms: false,
  },
];

/** The deployed API's stage: the path segment after the host (`.../v1/generate`). */
export const API_STAGE_NAME = "v1";

/**
 * The CORS preflight every route answers (an OPTIONS mock integration in API Gateway, emulated
 * by the dev server); actual responses get their CORS headers from the handlers.
 */
export const CORS_PREFLIGHT = {
  allowHeaders: ["Content-Type"],
  maxAgeSeconds: 3600,
  statusCode: 204,
} as const;
