import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_SETTINGS, REPO_ROOT, type RouteDefinition, requestSchemas, routes } from "#api-contract";
import { FunctionBundles } from "#dev-server";
import { CONFIG_VARIABLES } from "#functions/config";
import { RUNTIME_VARIABLES } from "../lib/function-environment.ts";
import type { DeployStage } from "../lib/settings.ts";
import { actionsOf, allStatements, roleStatements } from "./iam.ts";
import { resourcesOf, resourcesOfType, type Synthesized, synthStage } from "./synth.ts";

// Prod with every optional setting given; local with none (the defaults).
const PROD_CONTEXT = {
  alarmEmail: "ops@example.com",
  API_THROTTLE_RATE_LIMIT: "20",
  API_THROTTLE_BURST_LIMIT: "40",
  ALLOWED_ORIGINS: "https://app.example.com",
  OTP_ALLOWED_COUNTRIES: "US,CA",
  OTP_SMS_SENDER_ID: "MyApp",
  OTP_APP_NAME: "Acme",
};

const synthesized: Partial<Record<DeployStage, Synthesized>> = {};

beforeAll(() => {
  // Prod is bundled for real (esbuild) so the bundle itself can be checked; local skips it.
  synthesized.prod = synthStage("prod", { context: PROD_CONTEXT, bundle: true });
  synthesized.local = synthStage("local");
});

afterAll(() => {
  synthesized.prod?.cleanup();
  synthesized.local?.cleanup();
});

function synth(stage: DeployStage): Synthesized {
  const result = synthesized[stage];
  if (!result) throw new Error(`the ${stage} stage was not synthesized`);
  return result;
}

interface FunctionResource {
  id: string;
  properties: {
    Runtime: string;
    Architectures: string[];
    Handler: string;
    MemorySize: number;
    Timeout: number;
    Role: { "Fn::GetAtt": [string, string] };
    LoggingConfig: { LogGroup: { Ref: string } };
    Code: { S3Key: string };
    Environment: { Variables: Record<string, unknown> };
  };
}

function functionOf(stage: DeployStage, route: RouteDefinition): FunctionResource {
  const matches = Object.entries(resourcesOfType(synth(stage).template, "AWS::Lambda::Function")).filter(
    ([, resource]) =>
      (resource.Properties as FunctionResource["properties"]).Environment?.Variables
        ?.POWERTOOLS_SERVICE_NAME === `sms-otp-${route.name}`,
  );
  expect(matches, `one function for route ${route.name}`).toHaveLength(1);
  const [id, resource] = matches[0] ?? ["", {}];
  return { id, properties: resource.Properties as FunctionResource["properties"] };
}

function logicalIdOf(template: Synthesized["template"], type: string): string {
  const ids = Object.keys(resourcesOfType(template, type));
  expect(ids, `exactly one ${type}`).toHaveLength(1);
  return ids[0] ?? "";
}

describe.each(["prod", "local"] as const)("%s stage", (stage) => {
  const isProd = stage === "prod";

  it("has a DynamoDB table keyed on pk, on demand, with TTL on ttl", () => {
    const { template } = synth(stage);
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: {
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: isProd },
      },
      DeletionPolicy: isProd ? "Retain" : "Delete",
      UpdateReplacePolicy: isProd ? "Retain" : "Delete",
    });
  });

  it("generates the token secret in Secrets Manager", () => {
    synth(stage).template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it.each(routes)("runs $name on nodejs24.x, arm64, with a log group that expires", (route) => {
    const { template } = synth(stage);
    const fn = functionOf(stage, route);
    expect(fn.properties).toMatchObject({
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: 256,
      Timeout: 10,
    });
    // The same settings the dev server emulates, from the contract.
    expect(fn.properties).toMatchObject({
      Runtime: FUNCTION_SETTINGS.runtime,
      Architectures: [FUNCTION_SETTINGS.architecture],
      Handler: `index.${FUNCTION_SETTINGS.handlerExport}`,
      MemorySize: FUNCTION_SETTINGS.memoryMb,
      Timeout: FUNCTION_SETTINGS.timeoutSeconds,
    });
    const logGroup = resourcesOf(template)[fn.properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup?.Type).toBe("AWS::Logs::LogGroup");
    expect(logGroup?.Properties?.RetentionInDays).toBe(isProd ? 30 : 1);
    expect(logGroup?.DeletionPolicy).toBe(isProd ? "Retain" : "Delete");
  });

  it.each(routes)("gives $name an environment of shared config names only", (route) => {
    const { template } = synth(stage);
    const variables = functionOf(stage, route).properties.Environment.Variables;
    const allowed = [...CONFIG_VARIABLES, ...RUNTIME_VARIABLES];
    expect(Object.keys(variables).filter((name) => !allowed.includes(name))).toEqual([]);
    expect(variables).toMatchObject({
      STAGE: stage,
      TABLE_NAME: { Ref: logicalIdOf(template, "AWS::DynamoDB::Table") },
      OTP_TOKEN_SECRET_ARN: { Ref: logicalIdOf(template, "AWS::SecretsManager::Secret") },
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(variables).not.toHaveProperty("OTP_TOKEN_SECRET");
    if (isProd) {
      expect(variables).not.toHaveProperty("SMS_CAPTURE_TOPIC_ARN");
      expect(variables).toMatchObject({
        OTP_ALLOWED_COUNTRIES: "US,CA",
        OTP_SMS_SENDER_ID: "MyApp",
        OTP_APP_NAME: "Acme",
      });
    } else {
      expect(variables.SMS_CAPTURE_TOPIC_ARN).toEqual({ Ref: logicalIdOf(template, "AWS::SNS::Topic") });
    }
  });

  it.each(routes)(
    "grants $name exactly its table actions, the secret and (if it sends SMS) sns:Publish",
    (route) => {
      const { template } = synth(stage);
      const fn = functionOf(stage, route);
      const roleId = fn.properties.Role["Fn::GetAtt"][0];
      const tableArn = { "Fn::GetAtt": [logicalIdOf(template, "AWS::DynamoDB::Table"), "Arn"] };
      const secretArn = { Ref: logicalIdOf(template, "AWS::SecretsManager::Secret") };
      const snsResource = isProd ? "*" : { Ref: logicalIdOf(template, "AWS::SNS::Topic") };

      const expected = [
        { Effect: "Allow", Action: [...route.tableActions].sort(), Resource: tableArn },
        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn },
        ...(route.publishesSms ? [{ Effect: "Allow", Action: ["sns:Publish"], Resource: snsResource }] : []),
      ];
      const actual = roleStatements(template, roleId).map((statement) => ({
        Effect: statement.Effect,
        Action: actionsOf(statement).sort(),
        Resource: statement.Resource,
      }));
      expect(actual).toEqual(expected);

      // The only managed policy: CloudWatch Logs writes.
      const role = resourcesOf(template)[roleId];
      expect(JSON.stringify(role?.Properties?.ManagedPolicyArns)).toMatch(
        /service-role\/AWSLambdaBasicExecutionRole"/,
      );
      expect(role?.Properties?.ManagedPolicyArns).toHaveLength(1);
      for (const statement of roleStatements(template, roleId)) {
        for (const action of actionsOf(statement)) expect(action).not.toContain("*");
      }
    },
  );

  it("allows no wildcard action in any policy of the template", () => {
    const statements = allStatements(synth(stage).template);
    expect(statements.length).toBeGreaterThan(0);
    for (const { source, statement } of statements) {
      expect(statement.NotAction, source).toBeUndefined();
      if (statement.Effect !== "Allow") continue; // e.g. the bucket's Deny s3:* without TLS
      for (const action of actionsOf(statement)) {
        expect(action === "*" || action.endsWith(":*"), `${source} allows ${action}`).toBe(false);
      }
    }
  });

  it("throttles the stage and never logs request bodies", () => {
    synth(stage).template.hasResourceProperties("AWS::ApiGateway::Stage", {
      StageName: "v1",
      MethodSettings: [
        {
          HttpMethod: "*",
          ResourcePath: "/*",
          ThrottlingRateLimit: isProd ? 20 : 50,
          ThrottlingBurstLimit: isProd ? 40 : 100,
          DataTraceEnabled: false,
          LoggingLevel: "OFF",
        },
      ],
    });
  });

  it("is a regional REST API", () => {
    synth(stage).template.hasResourceProperties("AWS::ApiGateway::RestApi", {
      Name: `sms-otp-${stage}`,
      EndpointConfiguration: { Types: ["REGIONAL"] },
    });
  });

  it.each(routes)("routes $method $path to its own function through a body validator", (route) => {
    const { template } = synth(stage);
    const fn = functionOf(stage, route);
    const pathPart = route.path.slice(1);
    const resourceId = Object.entries(resourcesOfType(template, "AWS::ApiGateway::Resource")).find(
      ([, resource]) => resource.Properties?.PathPart === pathPart,
    )?.[0];
    expect(resourceId).toBeDefined();
    const validatorId = logicalIdOf(template, "AWS::ApiGateway::RequestValidator");
    template.hasResourceProperties("AWS::ApiGateway::RequestValidator", {
      ValidateRequestBody: true,
      ValidateRequestParameters: false,
    });
    template.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: route.method,
      ResourceId: { Ref: resourceId },
      AuthorizationType: "NONE",
      RequestValidatorId: { Ref: validatorId },
      RequestModels: { "application/json": { Ref: Match.anyValue() } },
      Integration: {
        Type: "AWS_PROXY",
        IntegrationHttpMethod: "POST",
        Uri: Match.objectLike({
          "Fn::Join": ["", Match.arrayWith([{ "Fn::GetAtt": [fn.id, "Arn"] }])],
        }),
      },
    });
  });

  it("validates bodies against closed JSON schemas of the contract", () => {
    const { template } = synth(stage);
    template.hasResourceProperties("AWS::ApiGateway::Model", {
      ContentType: "application/json",
      Schema: {
        type: "object",
        required: ["phone"],
        properties: { phone: { type: "string" } },
        additionalProperties: false,
      },
    });
    template.hasResourceProperties("AWS::ApiGateway::Model", {
      ContentType: "application/json",
      Schema: {
        type: "object",
        required: ["phone", "code"],
        properties: { phone: { type: "string" }, code: { type: "string" } },
        additionalProperties: false,
      },
    });
  });

  it("deploys exactly the contract's draft-04 schemas, which the dev server validates with", () => {
    const models = Object.values(resourcesOfType(synth(stage).template, "AWS::ApiGateway::Model"));
    const deployed = models.map((model) => model.Properties?.Schema);
    for (const route of routes) expect(deployed).toContainEqual(requestSchemas[route.name]);
    expect(deployed).toHaveLength(routes.length);
  });

  it("answers CORS preflight from the allow list only", () => {
    const { template } = synth(stage);
    const preflights = Object.values(resourcesOfType(template, "AWS::ApiGateway::Method")).filter(
      (method) => method.Properties?.HttpMethod === "OPTIONS",
    );
    expect(preflights).toHaveLength(routes.length);
    for (const preflight of preflights) {
      const text = JSON.stringify(preflight.Properties);
      expect(text).not.toContain(`"'*'"`);
      expect(text).toContain("method.response.header.Access-Control-Allow-Origin");
      if (isProd) {
        // The site origin first (a fixed header), the extra origin matched in the VTL template.
        expect(text).toContain("'https://");
        expect(text).toContain("SiteDistribution");
        expect(text).toContain('$origin == \\"https://app.example.com\\"');
      } else {
        expect(text).toContain("'http://localhost:3000'");
      }
    }
  });

  it.each([
    ["BAD_REQUEST_BODY", "400", '"code":"invalid_request"'],
    ["REQUEST_TOO_LARGE", "413", '"code":"payload_too_large"'],
    ["UNSUPPORTED_MEDIA_TYPE", "415", '"code":"unsupported_media_type"'],
    ["THROTTLED", "429", '{"message":"Too Many Requests"}'],
    ["MISSING_AUTHENTICATION_TOKEN", "403", '{"message":"Missing Authentication Token"}'],
  ])(
    "answers the %s gateway response with %s and the shared body, with CORS headers",
    (type, status, body) => {
      const { template } = synth(stage);
      template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
        ResponseType: type,
        StatusCode: status,
        ResponseParameters: Match.objectLike({
          "gatewayresponse.header.Access-Control-Allow-Origin": isProd
            ? Match.objectLike({ "Fn::Join": Match.anyValue() })
            : "'http://localhost:3000'",
          "gatewayresponse.header.Vary": "'Origin'",
        }),
        ResponseTemplates: { "application/json": Match.stringLikeRegexp(body.replace(/[{}]/g, "\\$&")) },
      });
    },
  );

  it("keeps API Gateway's own status and message for other 4xx and 5xx, with CORS headers", () => {
    const { template } = synth(stage);
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
        ResponseType: type,
        StatusCode: Match.absent(),
        ResponseParameters: Match.objectLike({
          "gatewayresponse.header.Access-Control-Allow-Origin": Match.anyValue(),
        }),
        ResponseTemplates: { "application/json": '{"message":$context.error.messageString}' },
      });
    }
    // Every gateway response body must be JSON once API Gateway fills in $context values.
    for (const response of Object.values(resourcesOfType(template, "AWS::ApiGateway::GatewayResponse"))) {
      const templates = (response.Properties?.ResponseTemplates ?? {}) as Record<string, string>;
      const body = templates["application/json"] ?? "";
      expect(() => JSON.parse(body.replace("$context.error.messageString", '"a message"'))).not.toThrow();
    }
    template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
      ResponseType: "THROTTLED",
      ResponseParameters: Match.objectLike({ "gatewayresponse.header.Retry-After": "'1'" }),
    });
  });
});

describe("prod stage only", () => {
  it("serves the page from a private, TLS-only, encrypted bucket", () => {
    const { template } = synth("prod");
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Action: "s3:GetObject",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Condition: { StringEquals: { "AWS:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it("puts CloudFront with origin access control in front, HTTPS only", () => {
    const { template } = synth("prod");
    const oacId = logicalIdOf(template, "AWS::CloudFront::OriginAccessControl");
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      },
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: "redirect-to-https",
          ResponseHeadersPolicyId: { Ref: logicalIdOf(template, "AWS::CloudFront::ResponseHeadersPolicy") },
        }),
        Origins: [
          Match.objectLike({
            OriginAccessControlId: { "Fn::GetAtt": [oacId, "Id"] },
            S3OriginConfig: { OriginAccessIdentity: "" },
          }),
        ],
      }),
    });
  });

  it("sends CSP, HSTS, nosniff, frame-deny and referrer headers with the page", () => {
    const { template } = synth("prod");
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: {
            Override: true,
            ContentSecurityPolicy: {
              "Fn::Join": [
                "",
                Match.arrayWith([
                  Match.stringLikeRegexp("default-src 'self'.*connect-src 'self' https://$"),
                  ".execute-api.",
                  Match.stringLikeRegexp("frame-ancestors 'none'"),
                ]),
              ],
            },
          },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 63_072_000,
            IncludeSubdomains: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "no-referrer", Override: true },
          XSSProtection: { Protection: false, Override: true },
        },
      }),
    });
  });

  it("deploys config.json with the API URL beside the page", () => {
    const { template, outdir } = synth("prod");
    const deployments = Object.values(resourcesOfType(template, "Custom::CDKBucketDeployment"));
    expect(deployments).toHaveLength(1);
    const props = deployments[0]?.Properties ?? {};
    expect(props.DistributionPaths).toEqual(["/*"]);
    const keys = props.SourceObjectKeys as string[];
    const contents = keys.map((key) => {
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
      return existsSync(join(dir, "config.json"))
        ? readFileSync(join(dir, "config.json"), "utf8")
        : undefined;
    });
    const configIndex = contents.findIndex((content) => content !== undefined);
    expect(configIndex).toBeGreaterThanOrEqual(0);
    const config = JSON.parse(contents[configIndex] ?? "{}") as { apiUrl: string };
    expect(config.apiUrl).toMatch(/^https:\/\/<<marker:[^>]+>>\.execute-api\./);
    const markers = (props.SourceMarkers as Record<string, unknown>[])[configIndex] ?? {};
    expect(Object.values(markers)).toContainEqual({ Ref: logicalIdOf(template, "AWS::ApiGateway::RestApi") });
  });

  it("logs API access as JSON (with the gateway response type) and creates the CloudWatch role for it", () => {
    const { template } = synth("prod");
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"responseType":"\\$context.error.responseType"'),
      },
    });
    template.resourceCountIs("AWS::ApiGateway::Account", 1);
  });

  it("alarms on 5xx, stage throttling, function errors, SMS failures and SMS spend, to the alarm email", () => {
    const { template } = synth("prod");
    const topicId = logicalIdOf(template, "AWS::SNS::Topic");
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
      TopicArn: { Ref: topicId },
    });
    const alarmAction = { AlarmActions: [{ Ref: topicId }] };
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/ApiGateway",
      MetricName: "5XXError",
      Dimensions: [{ Name: "ApiName", Value: "sms-otp-prod" }],
      ...alarmAction,
    });
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      FilterPattern: '{ $.responseType = "THROTTLED" }',
      MetricTransformations: [Match.objectLike({ MetricName: "ApiThrottledRequests", MetricValue: "1" })],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApiThrottledRequests",
      ...alarmAction,
    });
    for (const route of routes) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: functionOf("prod", route).id } }],
        Threshold: 1,
        ...alarmAction,
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "NumberOfNotificationsFailed",
      Dimensions: [{ Name: "PhoneNumber", Value: "PhoneNumberDirect" }],
      ...alarmAction,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "SMSMonthToDateSpentUSD",
      Threshold: 1,
      ...alarmAction,
    });
  });

  it("outputs the site URL and the API URL", () => {
    const { template } = synth("prod");
    template.hasOutput("SiteUrl", {
      Value: { "Fn::Join": ["", ["https://", { "Fn::GetAtt": [Match.anyValue(), "DomainName"] }, "/"]] },
    });
    template.hasOutput("ApiUrl", {
      Value: { "Fn::Join": ["", Match.arrayWith(["https://", ".execute-api."])] },
    });
    expect(Object.keys(synth("prod").template.findOutputs("*"))).not.toContain("SmsOutboxQueueUrl");
  });

  it("bundles each function as minified ESM with a require shim and a source map", () => {
    const { outdir } = synth("prod");
    for (const route of routes) {
      const key = functionOf("prod", route).properties.Code.S3Key;
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
      const bundle = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
      expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(join(dir, "index.mjs.map"))).toBe(true);
      // Minified: no indentation-heavy lines, a handful of very long ones.
      expect(bundle.split("\n").length).toBeLessThan(2_000);
    }
  });

  it("deploys byte for byte the bundle the dev server runs (one options object for both)", async () => {
    const { outdir } = synth("prod");
    const devBuild = mkdtempSync(join(tmpdir(), "sms-otp-devbundle-"));
    const bundles = await FunctionBundles.build({ repoRoot: REPO_ROOT, entries: routes, outDir: devBuild });
    try {
      for (const route of routes) {
        const key = functionOf("prod", route).properties.Code.S3Key;
        const deployed = readFileSync(join(outdir, `asset.${key.replace(/\.zip$/, "")}`, "index.mjs"));
        const local = readFileSync(bundles.moduleFile(route.name));
        expect(local.equals(deployed), `${route.name}: the dev server's bundle differs from CDK's`).toBe(
          true,
        );
      }
    } finally {
      await bundles.dispose();
      rmSync(devBuild, { recursive: true, force: true });
    }
  });

  it("has no SMS capture topic or outbox", () => {
    const { template } = synth("prod");
    template.resourceCountIs("AWS::SQS::Queue", 0);
    // The one topic is the alarm topic.
    template.resourceCountIs("AWS::SNS::Topic", 1);
    template.hasResourceProperties("AWS::SNS::Topic", { DisplayName: "SMS OTP alarms" });
  });
});

describe("local stage only", () => {
  it("captures SMS: a topic with a raw-delivery SQS outbox that SNS may write to", () => {
    const { template } = synth("local");
    const topicId = logicalIdOf(template, "AWS::SNS::Topic");
    const queueId = logicalIdOf(template, "AWS::SQS::Queue");
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "sqs",
      RawMessageDelivery: true,
      TopicArn: { Ref: topicId },
      Endpoint: { "Fn::GetAtt": [queueId, "Arn"] },
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: "Allow",
            Action: "sqs:SendMessage",
            Principal: { Service: "sns.amazonaws.com" },
            Condition: { ArnEquals: { "aws:SourceArn": { Ref: topicId } } },
          }),
        ],
      },
    });
  });

  it("has no CloudFront, no alarms, no access logs and no custom resources", () => {
    const { template } = synth("local");
    const types = Object.values(resourcesOf(template)).map((resource) => resource.Type);
    expect(types.filter((type) => type.startsWith("AWS::CloudFront::"))).toEqual([]);
    expect(types.filter((type) => type.startsWith("Custom::"))).toEqual([]);
    expect(types).not.toContain("AWS::CloudWatch::Alarm");
    expect(types).not.toContain("AWS::S3::Bucket");
    expect(types).not.toContain("AWS::ApiGateway::Account");
    template.hasResourceProperties("AWS::ApiGateway::Stage", { AccessLogSetting: Match.absent() });
  });

  it("outputs LocalStack's API URL, the outbox queue URL and the table name", () => {
    const { template } = synth("local");
    template.hasOutput("ApiUrl", {
      Value: {
        "Fn::Join": [
          "",
          [
            "http://localhost:4566/_aws/execute-api/",
            { Ref: logicalIdOf(template, "AWS::ApiGateway::RestApi") },
            "/v1/",
          ],
        ],
      },
    });
    template.hasOutput("SmsOutboxQueueUrl", { Value: { Ref: logicalIdOf(template, "AWS::SQS::Queue") } });
    template.hasOutput("TableName", { Value: { Ref: logicalIdOf(template, "AWS::DynamoDB::Table") } });
    expect(Object.keys(template.findOutputs("*"))).not.toContain("SiteUrl");
  });
});
