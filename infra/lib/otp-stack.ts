import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { API_STAGE_NAME, MAX_REQUEST_BODY_BYTES, type RouteDefinition, routes } from "#api-contract";
import { SERVICE_SECRET_FORM } from "#functions/secret-form";
import { OtpAlarms } from "./alarms.ts";
import { ApiFirewall } from "./api-firewall.ts";
import { buildFunctionEnvironment, validateFunctionEnvironment } from "./function-environment.ts";
import { acknowledge } from "./nag.ts";
import { OtpApi } from "./otp-api.ts";
import { OtpDashboard } from "./otp-dashboard.ts";
import { OtpFunction } from "./otp-function.ts";
import { SecretRotation } from "./secret-rotation.ts";
import type { StageSettings } from "./settings.ts";
import { SmsCapture } from "./sms-capture.ts";
import { SmsProtection } from "./sms-protection.ts";
import { StaticSite } from "./static-site.ts";

export interface OtpStackProps extends StackProps {
  readonly settings: StageSettings;
}

/** Where the local stage's API answers: LocalStack's path-style execute-api endpoint on the host. */
const LOCALSTACK_EXECUTE_API = "http://localhost:4566/_aws/execute-api";
/** The dev server's origin: the page that calls a local stack by default. */
const LOCAL_DEFAULT_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"];
/** How often the service secret rotates (prod). */
const SECRET_ROTATION_INTERVAL = Duration.days(30);
/** What LocalStack community 4.14 accepts in the local template but does not do (infra/README.md). */
const LOCALSTACK_IGNORES =
  'gateway responses keep only their status (body {"message":...}, no CORS headers); no stage throttling; ' +
  "log retention and point-in-time recovery stored, not applied; no WAF, SMS protect configuration or secret rotation";

/** Only the function that sends SMS checks the human challenge: no other one holds its secret. */
function withoutSendOnlySecrets(passthrough: Readonly<Record<string, string>>): Record<string, string> {
  const { OTP_TURNSTILE_SECRET_KEY: _sendOnly, ...rest } = passthrough;
  return rest;
}

function pascalCase(name: string): string {
  return `${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;
}

/**
 * The whole service in one stack, in two stages: `prod` (AWS: CloudFront page, WAF, alarms,
 * tracing, PITR, secret rotation, retained data) and `local` (LocalStack community: no CloudFront,
 * no custom resources, SMS captured to an SNS topic + SQS outbox instead of sent).
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
      generateSecretString: {
        passwordLength: SERVICE_SECRET_FORM.length,
        excludePunctuation: SERVICE_SECRET_FORM.excludePunctuation,
        includeSpace: SERVICE_SECRET_FORM.includeSpace,
      },
    });

    this.api = new OtpApi(this, "Api", {
      name: `sms-otp-${settings.stage}`,
      throttle: settings.throttle,
      logs: isProd ? { retention: logRetention, removalPolicy: dataRemovalPolicy } : undefined,
      tracing: isProd,
    });
    const restApi = this.api.restApi;

    // LocalStack community has no CloudFront and no custom resources (BucketDeployment is one):
    // locally the page comes from the dev server instead.
    const site = isProd
      ? new StaticSite(this, "Site", {
          assetDir: settings.webAssetDir,
          apiOrigin: `https://${restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
          domain: settings.siteDomain,
          logRemovalPolicy: dataRemovalPolicy,
          turnstileSiteKey: settings.passthrough.OTP_TURNSTILE_SITE_KEY,
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
        passthrough: route.publishesSms ? settings.passthrough : withoutSendOnlySecrets(settings.passthrough),
      });
      validateFunctionEnvironment(environment);

      const fn = new OtpFunction(this, `${pascalCase(route.name)}Function`, {
        entry: route.entry,
        description: route.description,
        environment,
        logRetention,
        logRemovalPolicy: dataRemovalPolicy,
        tracing: isProd,
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
      fn.acknowledgeWildcardResources(
        ...(route.publishesSms && !capture ? ["sns:Publish to a phone number"] : []),
      );
      acknowledge(fn, {
        rule: "Serverless-LambdaDLQ",
        reason:
          "API Gateway invokes the function synchronously and returns its failure to the caller; a DLQ only catches asynchronous invocations.",
      });
      this.api.addRoute(route, fn, allowedOrigins);
      functions[route.name] = fn;
    }
    this.functions = functions as Record<RouteDefinition["name"], OtpFunction>;
    this.api.addGatewayResponses(allowedOrigins[0] ?? "");

    const smsRoute = routes.find((route) => route.publishesSms);
    if (!smsRoute) throw new Error("The route table has no route that sends SMS");
    if (isProd && settings.waf.enabled) {
      new ApiFirewall(this, "Firewall", {
        stage: restApi.deploymentStage,
        smsRoutePath: smsRoute.path,
        smsRouteRateLimit: settings.waf.generateRateLimit,
        anonymousIpList: settings.waf.anonymousIpList,
        maxBodyBytes: MAX_REQUEST_BODY_BYTES,
        primaryOrigin: allowedOrigins[0] ?? "",
        logRetention,
        logRemovalPolicy: dataRemovalPolicy,
      });
    } else if (isProd) {
      acknowledge(restApi.deploymentStage, {
        rule: "AwsSolutions-APIG3",
        reason:
          "The deployer turned the web ACL off (-c wafEnabled=false); the stage throttle and the service's per-phone and per-IP limits still apply.",
      });
    }
    if (isProd && settings.smsProtect) new SmsProtection(this, "SmsProtection", settings.smsProtect);
    const rotation = isProd
      ? new SecretRotation(this, "SecretRotation", {
          secret: tokenSecret,
          every: SECRET_ROTATION_INTERVAL,
          logRetention,
          logRemovalPolicy: dataRemovalPolicy,
          tracing: true,
        })
      : undefined;

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

    if (site && settings.siteDomain) {
      new CfnOutput(this, "SiteDnsTarget", {
        value: site.distribution.distributionDomainName,
        description: `Point ${settings.siteDomain.name} here (a CNAME, or a Route 53 alias record)`,
      });
    }

    if (capture) {
      new CfnOutput(this, "SmsOutboxQueueUrl", {
        value: capture.outbox.queueUrl,
        description: "SQS queue holding every SMS the local stage sent",
      });
      new CfnOutput(this, "SmsCaptureTopicArn", { value: capture.topic.topicArn });
      new CfnOutput(this, "LocalStackIgnores", {
        value: LOCALSTACK_IGNORES,
        description: "What this stage declares but LocalStack community does not do",
      });
      this.acknowledgeLocalStage(tokenSecret, capture);
    }

    if (isProd && this.api.accessLogGroup) {
      new OtpDashboard(this, "Dashboard", { name: `sms-otp-${settings.stage}` });
      const alarms = new OtpAlarms(this, "Alarms", {
        restApi,
        accessLogGroup: this.api.accessLogGroup,
        functions: rotation ? { ...this.functions, rotateSecret: rotation.function } : this.functions,
        alarmEmail: settings.alarmEmail,
        smsSpendAlarmUsd: settings.smsSpendAlarmUsd,
      });
      if (alarms.topic) {
        acknowledge(alarms.topic, {
          rule: "Serverless-SNSRedrivePolicy",
          reason:
            "The alarm topic's only subscriber is an email address; an undelivered alarm mail would sit in a queue nobody reads, and the alarm's state stays visible in CloudWatch.",
        });
      }
    }
  }

  /**
   * The local stage runs on LocalStack community for checking that the stack deploys and works:
   * what it leaves out on purpose, and why, for cdk-nag.
   */
  private acknowledgeLocalStage(tokenSecret: Secret, capture: SmsCapture): void {
    const stage = this.api.restApi.deploymentStage;
    const noLogs =
      "The local stage creates no API Gateway CloudWatch role (an account-wide setting) and LocalStack ignores log retention; prod logs access as JSON and errors.";
    acknowledge(
      stage,
      { rule: "AwsSolutions-APIG1", reason: noLogs },
      { rule: "Serverless-APIGWAccessLogging", reason: noLogs },
      { rule: "AwsSolutions-APIG6", reason: noLogs },
      {
        rule: "AwsSolutions-APIG3",
        reason: "LocalStack community has no WAFv2; prod puts the web ACL on its stage.",
      },
      {
        rule: "Serverless-APIGWXrayEnabled",
        reason: "LocalStack community has no X-Ray; prod traces the stage.",
      },
    );
    for (const fn of Object.values(this.functions)) {
      acknowledge(fn, {
        rule: "Serverless-LambdaTracing",
        reason: "LocalStack community has no X-Ray; prod traces the functions.",
      });
    }
    acknowledge(this.table, {
      rule: "AwsSolutions-DDB3",
      reason: "LocalStack only stores the point-in-time recovery flag; prod turns it on.",
    });
    acknowledge(tokenSecret, {
      rule: "AwsSolutions-SMG4",
      reason:
        "LocalStack's RotationSchedule only records the schedule (and fails on update), so the local stage does not rotate; prod rotates every 30 days.",
    });
    const captureOnly =
      "Local-only capture of the SMS the service would send, on LocalStack over plain HTTP on loopback: no TLS to require, and a lost test SMS needs no redrive.";
    acknowledge(
      capture,
      { rule: "AwsSolutions-SNS3", reason: captureOnly },
      { rule: "AwsSolutions-SQS3", reason: captureOnly },
      { rule: "AwsSolutions-SQS4", reason: captureOnly },
      { rule: "Serverless-SQSRedrivePolicy", reason: captureOnly },
      { rule: "Serverless-SNSRedrivePolicy", reason: captureOnly },
    );
  }
}
