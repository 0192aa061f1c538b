import { join } from "node:path";
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { Charset, LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { REPO_ROOT } from "./repo-root.ts";

export interface OtpFunctionProps {
  /** Handler module, relative to the repository root (as in the shared route table). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Lets ESM bundles load the CommonJS dependencies that esbuild leaves as `require` calls
 * (the shim esbuild emits for them needs a real `require` in scope).
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The one Lambda function shape of the service (modelled on the Powertools for AWS Lambda
 * TypeScript example app): Node.js 24 on arm64, an ESM bundle built by the locally installed
 * esbuild (never Docker), source maps, and a log group with a retention period instead of the
 * never-expiring group Lambda would create on first use.
 */
export class OtpFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: OtpFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      handler: "handler",
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      // Graviton: about 20% cheaper per GB-second than x86_64 for the same work.
      architecture: Architecture.ARM_64,
      // 256 MB: Lambda scales CPU with memory, and the cold start (SDK clients, HMAC, JWT signing)
      // is CPU bound; at this size a request costs the same as at 128 MB because it ends sooner.
      memorySize: 256,
      // DynamoDB and SNS calls with SDK retries finish in well under a second; 10 s bounds a stuck
      // call far below API Gateway's 29 s integration timeout.
      timeout: Duration.seconds(10),
      environment: { ...props.environment },
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: "node24",
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        // Traces map to file and line without shipping the sources themselves.
        sourcesContent: false,
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK too: the version we test is the version that runs.
        bundleAwsSDK: true,
        externalModules: [],
        charset: Charset.UTF8,
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
