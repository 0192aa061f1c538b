import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { API_STAGE_NAME, type RouteDefinition, routes } from "#api-contract";
import { OtpAlarms } from "./alarms.ts";
import { buildFunctionEnvironment, validateFunctionEnvironment } from "./function-environment.ts";
import { OtpApi } from "./otp-api.ts";
import { OtpFunction } from "./otp-function.ts";
import type { StageSettings } from "./settings.ts";
import { SmsCapture } from "./sms-capture.ts";
import { StaticSite } from "./static-site.ts";

export interface OtpStackProps extends StackProps {
  readonly settings: StageSettings;
}

/** Where the local stage's API answers: LocalStack's path-style execute-api endpoint on the host. */
const LOCALSTACK_EXECUTE_API = "http://localhost:4566/_aws/execute-api";
/** The dev server's origin: the page that calls a local stack by default. */
const LOCAL_DEFAULT_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"];

function pascalCase(name: string): string {
  return `${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;
}

/**
 * The whole service in one stack, in two stages: `prod` (AWS: CloudFront page, alarms, PITR,
 * retained data) and `local` (LocalStack community: no CloudFront, no custom resources, SMS
 * captured to an SNS topic + SQS outbox instead of sent).
 */
export class OtpStack extends Stack {
  readonly table: Table;
  readonly api: OtpApi;
  readonly functions: Readonly<Record<RouteDefinition["name"], OtpFunction>>;

  constructor(scope: Construct, id: string, props: OtpStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const isProd = settings.stage === "prod";
    const dataRemovalPolicy = isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = isProd ? RetentionDays.ONE_MONTH : RetentionDays.ONE_DAY;

    this.table = new Table(this, "OtpTable", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // Clean-up only: the handlers enforce expiry on every read (TTL deletion can lag by days).
      timeToLiveAttribute: "ttl",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: isProd },
      removalPolicy: dataRemovalPolicy,
    });

    // The key that signs verification tokens; the functions read it once per cold start.
    const tokenSecret = new Secret(this, "TokenSecret", {
      description: "Signing key of the SMS OTP service (OTP_TOKEN_SECRET_ARN)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    this.api = new OtpApi(this, "Api", {
      name: `sms-otp-${settings.stage}`,
      throttle: settings.throttle,
      accessLogs: isProd ? { retention: logRetention, removalPolicy: dataRemovalPolicy } : undefined,
    });
    const restApi = this.api.restApi;

    // LocalStack community has no CloudFront and no custom resources (BucketDeployment is one):
    // locally the page comes from the dev server instead.
    const site = isProd
      ? new StaticSite(this, "Site", {
          assetDir: settings.webAssetDir,
          apiOrigin: `https://${restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
        })
      : undefined;
    const capture = isProd ? undefined : new SmsCapture(this, "SmsCapture");

    const contextOrigins = (settings.passthrough.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0);
    const allowedOrigins = site
      ? [site.origin, ...contextOrigins.filter((origin) => origin !== site.origin)]
      : contextOrigins.length > 0
        ? contextOrigins
        : LOCAL_DEFAULT_ORIGINS;

    const functions: Partial<Record<RouteDefinition["name"], OtpFunction>> = {};
    for (const route of routes) {
      const environment = buildFunctionEnvironment({
        stage: settings.stage,
        serviceName: `sms-otp-${route.name}`,
        tableName: this.table.tableName,
        tokenSecretArn: tokenSecret.secretArn,
        allowedOrigins,
        smsCaptureTopicArn: capture?.topic.topicArn,
        passthrough: settings.passthrough,
      });
      validateFunctionEnvironment(environment);

      const fn = new OtpFunction(this, `${pascalCase(route.name)}Function`, {
        entry: route.entry,
        description: route.description,
        environment,
        logRetention,
        logRemovalPolicy: dataRemovalPolicy,
      });
      fn.addToRolePolicy(
        new PolicyStatement({ actions: [...route.tableActions], resources: [this.table.tableArn] }),
      );
      // Only GetSecretValue: grantRead() would add DescribeSecret, which the handlers never call.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["secretsmanager:GetSecretValue"],
          resources: [tokenSecret.secretArn],
        }),
      );
      if (route.publishesSms) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ["sns:Publish"],
            // Publishing to a phone number has no resource ARN to name: IAM only matches it with
            // "*". The action stays exactly sns:Publish. Locally only the capture topic is allowed.
            resources: capture ? [capture.topic.topicArn] : ["*"],
          }),
        );
      }
      this.api.addRoute(route, fn, allowedOrigins);
      functions[route.name] = fn;
    }
    this.functions = functions as Record<RouteDefinition["name"], OtpFunction>;
    this.api.addGatewayResponses(allowedOrigins[0] ?? "");

    const apiUrl = site ? restApi.url : `${LOCALSTACK_EXECUTE_API}/${restApi.restApiId}/${API_STAGE_NAME}/`;
    if (site) {
      site.deployPage(apiUrl);
      new CfnOutput(this, "SiteUrl", { value: site.url, description: "The page (CloudFront)" });
    }
    new CfnOutput(this, "ApiUrl", {
      value: apiUrl,
      description: "Base URL of POST /generate and POST /validate",
    });
    new CfnOutput(this, "TableName", {
      value: this.table.tableName,
      description: "DynamoDB table of the codes",
    });

    if (capture) {
      new CfnOutput(this, "SmsOutboxQueueUrl", {
        value: capture.outbox.queueUrl,
        description: "SQS queue holding every SMS the local stage sent",
      });
      new CfnOutput(this, "SmsCaptureTopicArn", { value: capture.topic.topicArn });
    }

    if (isProd && this.api.accessLogGroup) {
      new OtpAlarms(this, "Alarms", {
        restApi,
        accessLogGroup: this.api.accessLogGroup,
        functions: this.functions,
        alarmEmail: settings.alarmEmail,
        smsSpendAlarmUsd: settings.smsSpendAlarmUsd,
      });
    }
  }
}
