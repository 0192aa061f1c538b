import { join } from "node:path";
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { FUNCTION_BUILD_OPTIONS, FUNCTION_SETTINGS, REPO_ROOT } from "#api-contract";

export interface OtpFunctionProps {
  /** Handler module, relative to the repository root (as in the route table). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The contract's esbuild options in NodejsFunction's terms. Every option of the contract object
 * is mapped here; a test builds a function both ways and compares the bundles byte for byte.
 */
function bundlingOptions(): BundlingOptions {
  const build = FUNCTION_BUILD_OPTIONS;
  return {
    forceDockerBundling: false,
    format: build.format === "esm" ? OutputFormat.ESM : OutputFormat.CJS,
    target: build.target,
    mainFields: [...build.mainFields],
    minify: build.minify,
    sourceMap: build.sourcemap,
    sourcesContent: build.sourcesContent,
    banner: build.banner.js,
    // CDK drops its own `charset` option (aws/aws-cdk#32649): pass esbuild's flag directly.
    esbuildArgs: {
      "--charset": build.charset,
      ...Object.fromEntries(Object.entries(build.alias).map(([from, to]) => [`--alias:${from}`, to])),
    },
    // Bundle the AWS SDK too: the version we test is the version that runs.
    bundleAwsSDK: true,
    externalModules: [...build.external],
  };
}

/**
 * The one Lambda function shape of the service (modelled on the Powertools for AWS Lambda
 * TypeScript example app), from the contract's function settings: an ESM bundle built by the
 * locally installed esbuild (never Docker), and a log group with a retention period instead of
 * the never-expiring group Lambda would create on first use.
 */
export class OtpFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: OtpFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      handler: FUNCTION_SETTINGS.handlerExport,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_SETTINGS.memoryMb,
      timeout: Duration.seconds(FUNCTION_SETTINGS.timeoutSeconds),
      environment: { ...props.environment },
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      bundling: bundlingOptions(),
    });
  }
}
