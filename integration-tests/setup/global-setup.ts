import type { TestProject } from "vitest/node";
import { type BackendKind, startBackend } from "./backend.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Endpoint every integration test talks to (AWS_ENDPOINT_URL of the handlers). */
    awsEndpoint: string;
    awsRegion: string;
    backend: BackendKind;
  }
}

/**
 * Vitest global setup of the `integration` project: starts one backend for the whole run (see
 * backend.ts for the choice), says which and why, and hands its endpoint to the test files.
 * Each test file then provisions its own uniquely named resources (support/stack.ts). Vitest takes
 * the function this returns as the teardown.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const backend = await startBackend();
  console.log(`[integration] backend: ${backend.description}`);
  project.provide("awsEndpoint", backend.endpoint);
  project.provide("awsRegion", backend.region);
  project.provide("backend", backend.kind);
  return () => backend.stop();
}
