import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root. The shared route table names handler entries relative to it, and the CDK
 * CLI runs the app from infra/, so every path the stack uses is resolved from here, never from the
 * working directory.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
