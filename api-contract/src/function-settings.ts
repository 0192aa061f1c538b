import { join } from "node:path";
import type { BuildOptions } from "esbuild";
import { REPO_ROOT } from "./routes.ts";

/**
 * The shape of every function of the service, deployed by the CDK stack and emulated by the dev
 * server: runtime, size, timeout and how the handler module is bundled.
 */
export const FUNCTION_SETTINGS = {
  /** Lambda's runtime identifier; the project's own Node (`npm ci`) is the same major version. */
  runtime: "nodejs24.x",
  // Graviton: about 20% cheaper per GB-second than x86_64 for the same work.
  architecture: "arm64",
  // Lambda scales CPU with memory, and the cold start (SDK clients, HMAC, JWT signing) is CPU
  // bound; at 256 MB a request costs the same as at 128 MB because it ends sooner.
  memoryMb: 256,
  // DynamoDB and SNS calls with SDK retries finish in well under a second; 10 s bounds a stuck
  // call far below API Gateway's 29 s integration timeout.
  timeoutSeconds: 10,
  /** The exported function of each handler module. */
  handlerExport: "handler",
} as const;

/**
 * esbuild options of the function bundles: an ESM bundle for Node 24 with the AWS SDK inside
 * (the version we test is the version that runs), minified, with source maps but not the sources,
 * and a `require` shim so CommonJS dependencies load in ESM. The CDK stack translates this object
 * into NodejsFunction bundling options and the dev server passes it to esbuild as is; a test
 * proves both produce the same bundle.
 */
export const FUNCTION_BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  charset: "utf8",
  outExtension: { ".js": ".mjs" },
  external: [],
  // Lambda's credentials are in the environment: the rest of the SDK's default chain is dead
  // weight (functions/src/adapters/lambda-credentials.ts says why and what it costs).
  alias: {
    "@aws-sdk/credential-provider-node": join(REPO_ROOT, "functions/src/adapters/lambda-credentials.ts"),
  },
} as const satisfies BuildOptions;
