import { startEmbeddedAws } from "#local-aws/emulator";

/**
 * The AWS backend of an integration run (docs/architecture.md, "Where AWS comes from"): an endpoint named by
 * AWS_ENDPOINT_URL, else LocalStack in a container when a container runtime answers, else the
 * embedded emulators in this process.
 */

export type BackendKind = "embedded" | "localstack" | "external";

export interface Backend {
  kind: BackendKind;
  endpoint: string;
  region: string;
  /** One line for the log: which backend and why. */
  description: string;
  stop(): Promise<void>;
}

/** Pinned: newer images need a LocalStack account (LOCALSTACK_AUTH_TOKEN). */
const LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}

async function startLocalStack(region: string, env: NodeJS.ProcessEnv): Promise<Backend> {
  const { LocalstackContainer } = await import("@testcontainers/localstack");
  // LocalStack takes each request's region from its signature; only the services need naming.
  const environment: Record<string, string> = { SERVICES: "dynamodb,sns,sqs,sts" };
  const token = env.LOCALSTACK_AUTH_TOKEN;
  if (token) environment.LOCALSTACK_AUTH_TOKEN = token;
  const container = await new LocalstackContainer(LOCALSTACK_IMAGE).withEnvironment(environment).start();
  const endpoint = container.getConnectionUri();
  return {
    kind: "localstack",
    endpoint,
    region,
    description: `localstack (${LOCALSTACK_IMAGE}, Testcontainers) at ${endpoint} — a container runtime answered`,
    async stop() {
      await container.stop();
    },
  };
}

/**
 * Picks and starts the backend. Testcontainers' runtime probe fails within milliseconds when
 * there is no Docker (or Podman) socket, so machines without one lose no time here.
 */
export async function startBackend(env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const external = env.AWS_ENDPOINT_URL?.trim();
  if (external) {
    return {
      kind: "external",
      endpoint: external,
      region,
      description: `external at ${external} — AWS_ENDPOINT_URL is set`,
      async stop() {},
    };
  }

  let noRuntime: string | undefined;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
  } catch (error) {
    noRuntime = reasonOf(error);
  }
  if (noRuntime === undefined) {
    try {
      return await startLocalStack(region, env);
    } catch (error) {
      // A runtime that answers but cannot run LocalStack is a broken setup, not a reason to test less.
      throw new Error(
        `A container runtime answered but ${LOCALSTACK_IMAGE} did not start: ${reasonOf(error)}. ` +
          "Fix the runtime (image pull, LOCALSTACK_AUTH_TOKEN), or point AWS_ENDPOINT_URL at a running emulator.",
        { cause: error },
      );
    }
  }

  const embedded = await startEmbeddedAws({ port: 0, region });
  return {
    kind: "embedded",
    endpoint: embedded.endpoint,
    region,
    description: `embedded (dynalite + fauxqs) at ${embedded.endpoint} — no container runtime: ${noRuntime}`,
    stop: () => embedded.stop(),
  };
}
