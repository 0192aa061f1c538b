import { join } from "node:path";
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { FUNCTION_BUILD_OPTIONS, FUNCTION_SETTINGS, REPO_ROOT } from "#api-contract";
import { acknowledge } from "./nag.ts";

export interface OtpFunctionProps {
  /** Handler module, relative to the repository root (as in the route table). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** X-Ray active tracing: Lambda records each invocation itself, no SDK in the bundle. */
  readonly tracing: boolean;
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
 * locally installed esbuild (never Docker), a log group with a retention period instead of the
 * never-expiring group Lambda would create on first use, and a role that may write to that log
 * group only (AWSLambdaBasicExecutionRole would allow every log group of the account).
 */
export class OtpFunction extends NodejsFunction {
  private readonly executionRole: Role;
  private readonly tracingActive: boolean;

  constructor(scope: Construct, id: string, props: OtpFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      handler: FUNCTION_SETTINGS.handlerExport,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_SETTINGS.memoryMb,
      timeout: Duration.seconds(FUNCTION_SETTINGS.timeoutSeconds),
      // No NODE_OPTIONS=--enable-source-maps: Node would parse the bundle's source map on every
      // cold start (npm run bench measures it) for stack traces the functions never log. The map
      // ships in the asset, so a debugging session can turn it on (infra/README.md).
      environment: { ...props.environment },
      logGroup,
      role,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      bundling: bundlingOptions(),
    });
    this.executionRole = role;
    this.tracingActive = props.tracing;
  }

  /**
   * Acknowledges cdk-nag's IAM5 `Resource::*` finding on this function's policy, naming every
   * statement that needs resource "*": X-Ray's when tracing, and `grants`. Call it once, after the
   * last grant, from the code that made them; without any such statement it adds nothing.
   */
  acknowledgeWildcardResources(...grants: readonly string[]): void {
    const wildcards = [
      ...(this.tracingActive ? ["xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing)"] : []),
      ...grants,
    ];
    if (wildcards.length === 0) return;
    acknowledge(this.executionRole, {
      rule: "AwsSolutions-IAM5[Resource::*]",
      reason: `IAM matches these only with resource "*", as they act on no resource with an ARN: ${wildcards.join("; ")}. Each action is named exactly.`,
    });
  }
}
