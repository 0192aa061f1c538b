/**
 * The one route table. The CDK stack builds an API Gateway method and one Lambda function per
 * entry, and the dev server mounts the same functions on the same paths, so the deployed API and
 * the local one cannot drift apart.
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: route entries are relative to it. The CDK CLI runs from infra/ and the dev
 * server from anywhere, so both resolve paths from here, never from the working directory.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** DynamoDB actions a handler performs on the OTP table (IAM least privilege is derived from this). */
export type TableAction =
  | "dynamodb:GetItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:PutItem"
  | "dynamodb:DeleteItem";

export type RouteName = "generate" | "validate";

export interface RouteDefinition {
  /** Short name: the Lambda function id, the log service name and the key of its request schema. */
  readonly name: RouteName;
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
