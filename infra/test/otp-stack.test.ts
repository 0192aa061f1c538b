import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_SETTINGS, REPO_ROOT, type RouteDefinition, requestSchemas, routes } from "#api-contract";
import { FunctionBundles } from "#dev-server";
import { CONFIG_VARIABLES } from "#functions/config";
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS, REFUSAL_REASONS } from "#functions/metrics";
import { RUNTIME_VARIABLES } from "../lib/function-environment.ts";
import type { DeployStage } from "../lib/settings.ts";
import { SMS_DESTINATIONS } from "../lib/sms-countries.ts";
import { actionsOf, allStatements, roleStatements } from "./iam.ts";
import { resourcesOf, resourcesOfType, type Synthesized, synthStage } from "./synth.ts";

// Prod with every optional setting given; local with none (the defaults).
const SITE_CERTIFICATE_ARN =
  "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
const PROD_CONTEXT = {
  alarmEmail: "ops@example.com",
  API_THROTTLE_RATE_LIMIT: "20",
  API_THROTTLE_BURST_LIMIT: "40",
  ALLOWED_ORIGINS: "https://app.example.com",
  OTP_ALLOWED_COUNTRIES: "US,CA",
  OTP_SMS_SENDER_ID: "MyApp",
  OTP_APP_NAME: "Acme",
  siteDomain: "otp.example.com",
  siteCertificateArn: SITE_CERTIFICATE_ARN,
  smsProtectAccountDefault: "true",
  wafGenerateRateLimit: "50",
  wafAnonymousIpList: "count",
  OTP_TURNSTILE_SITE_KEY: "0x4AAAAAAAsitekey",
  OTP_TURNSTILE_SECRET_KEY: "0x4AAAAAAAsecretkey",
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
    Description: string;
    Runtime: string;
    Architectures: string[];
    Handler: string;
    MemorySize: number;
    Timeout: number;
    Role: { "Fn::GetAtt": [string, string] };
    LoggingConfig: { LogGroup: { Ref: string } };
    Code: { S3Key: string };
    TracingConfig?: { Mode: string };
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

/** The secret rotation function (prod only), told apart by its description. */
function rotatorOf(): FunctionResource {
  const matches = Object.entries(resourcesOfType(synth("prod").template, "AWS::Lambda::Function")).filter(
    ([, resource]) =>
      resource.Properties?.Description === "Rotates the service secret (Secrets Manager rotation steps).",
  );
  expect(matches, "one rotation function").toHaveLength(1);
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
    });
    expect(variables).not.toHaveProperty("OTP_TOKEN_SECRET");
    // Source maps would be parsed on every cold start; stack traces are never logged.
    expect(variables).not.toHaveProperty("NODE_OPTIONS");
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

      const logGroupArn = { "Fn::GetAtt": [fn.properties.LoggingConfig.LogGroup.Ref, "Arn"] };
      // Prod merges the statements on "*": X-Ray (active tracing) and, for generate, sns:Publish.
      const wildcardActions = [
        ...(isProd ? ["xray:PutTelemetryRecords", "xray:PutTraceSegments"] : []),
        ...(route.publishesSms && isProd ? ["sns:Publish"] : []),
      ].sort();
      const expected = [
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logGroupArn },
        { Effect: "Allow", Action: [...route.tableActions].sort(), Resource: tableArn },
        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn },
        ...(wildcardActions.length > 0 ? [{ Effect: "Allow", Action: wildcardActions, Resource: "*" }] : []),
        ...(route.publishesSms && !isProd
          ? [{ Effect: "Allow", Action: ["sns:Publish"], Resource: snsResource }]
          : []),
      ];
      const actual = roleStatements(template, roleId).map((statement) => ({
        Effect: statement.Effect,
        Action: actionsOf(statement).sort(),
        Resource: statement.Resource,
      }));
      const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
      expect(actual.sort(byJson)).toEqual(expected.sort(byJson));

      // No managed policy: AWSLambdaBasicExecutionRole would allow writing to every log group.
      const role = resourcesOf(template)[roleId];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
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

  it("throttles the stage, logs errors only in prod and never logs request bodies", () => {
    synth(stage).template.hasResourceProperties("AWS::ApiGateway::Stage", {
      StageName: "v1",
      MethodSettings: [
        {
          HttpMethod: "*",
          ResourcePath: "/*",
          ThrottlingRateLimit: isProd ? 20 : 50,
          ThrottlingBurstLimit: isProd ? 40 : 100,
          DataTraceEnabled: false,
          LoggingLevel: isProd ? "ERROR" : "OFF",
        },
      ],
    });
  });

  it("traces the API stage and every function with X-Ray in prod only", () => {
    const { template } = synth(stage);
    template.hasResourceProperties("AWS::ApiGateway::Stage", { TracingEnabled: isProd });
    // The service's own functions (OtpFunction), not the helper functions CDK adds.
    const functions = [...routes.map((route) => functionOf(stage, route)), ...(isProd ? [rotatorOf()] : [])];
    for (const fn of functions) {
      expect(fn.properties.TracingConfig).toEqual(isProd ? { Mode: "Active" } : undefined);
    }
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
      ValidateRequestParameters: true,
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
        // The site's custom domain first (a fixed header), the extra origin matched in the VTL template.
        expect(text).toContain("'https://otp.example.com'");
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
            ? "'https://otp.example.com'"
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

  it("creates the execution log group API Gateway writes to, with retention, before the stage", () => {
    const { template } = synth("prod");
    const restApiId = logicalIdOf(template, "AWS::ApiGateway::RestApi");
    const executionLogs = Object.entries(resourcesOfType(template, "AWS::Logs::LogGroup")).find(([, group]) =>
      JSON.stringify(group.Properties?.LogGroupName ?? "").includes("API-Gateway-Execution-Logs_"),
    );
    expect(executionLogs?.[1].Properties).toEqual({
      LogGroupName: { "Fn::Join": ["", ["API-Gateway-Execution-Logs_", { Ref: restApiId }, "/v1"]] },
      RetentionInDays: 30,
    });
    template.hasResource("AWS::ApiGateway::Stage", {
      DependsOn: Match.arrayWith([executionLogs?.[0]]),
    });
  });

  it("puts a web ACL on the API stage: per-IP rate on /generate, IP reputation, anonymous IPs, body size", () => {
    const { template } = synth("prod");
    const webAclId = logicalIdOf(template, "AWS::WAFv2::WebACL");
    const corsHeader = { Name: "access-control-allow-origin", Value: "https://otp.example.com" };
    template.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: "SmsRouteRatePerIp",
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: 429,
                CustomResponseBodyKey: "throttled",
                ResponseHeaders: Match.arrayWith([corsHeader, { Name: "retry-after", Value: "300" }]),
              },
            },
          },
          Statement: {
            RateBasedStatement: {
              Limit: 50,
              EvaluationWindowSec: 300,
              AggregateKeyType: "IP",
              ScopeDownStatement: {
                ByteMatchStatement: Match.objectLike({
                  FieldToMatch: { UriPath: {} },
                  PositionalConstraint: "ENDS_WITH",
                  SearchString: "/generate",
                }),
              },
            },
          },
        }),
        Match.objectLike({
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesAmazonIpReputationList" },
          },
        }),
        // -c wafAnonymousIpList=count: counted and logged, not blocked.
        Match.objectLike({
          OverrideAction: { Count: {} },
          Statement: {
            ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesAnonymousIpList" },
          },
        }),
        Match.objectLike({
          Name: "BodyTooLarge",
          Action: {
            Block: {
              CustomResponse: Match.objectLike({
                ResponseCode: 413,
                CustomResponseBodyKey: "requestTooLarge",
              }),
            },
          },
          Statement: {
            SizeConstraintStatement: Match.objectLike({
              FieldToMatch: { Body: { OversizeHandling: "MATCH" } },
              ComparisonOperator: "GT",
              Size: 4096,
            }),
          },
        }),
      ],
      CustomResponseBodies: {
        throttled: { ContentType: "APPLICATION_JSON", Content: '{"message":"Too Many Requests"}' },
        requestTooLarge: {
          ContentType: "APPLICATION_JSON",
          Content: '{"error":{"code":"payload_too_large","message":"The request body is too large."}}',
        },
      },
    });
    template.hasResourceProperties("AWS::WAFv2::WebACLAssociation", {
      WebACLArn: { "Fn::GetAtt": [webAclId, "Arn"] },
      ResourceArn: {
        "Fn::Join": [
          "",
          Match.arrayWith([
            "::/restapis/",
            { Ref: logicalIdOf(template, "AWS::ApiGateway::RestApi") },
            "/stages/",
            { Ref: logicalIdOf(template, "AWS::ApiGateway::Stage") },
          ]),
        ],
      },
    });
  });

  it("logs what the web ACL blocks or counts to an aws-waf-logs- group, which never holds bodies", () => {
    const { template } = synth("prod");
    const webAclId = logicalIdOf(template, "AWS::WAFv2::WebACL");
    const wafLogs = Object.entries(resourcesOfType(template, "AWS::Logs::LogGroup")).find(([, group]) =>
      JSON.stringify(group.Properties?.LogGroupName ?? "").includes("aws-waf-logs-"),
    );
    expect(wafLogs?.[1].Properties).toEqual({
      LogGroupName: { "Fn::Join": ["", ["aws-waf-logs-SmsOtp-prod-", { "Fn::GetAtt": [webAclId, "Id"] }]] },
      RetentionInDays: 30,
    });
    template.hasResourceProperties("AWS::WAFv2::LoggingConfiguration", {
      ResourceArn: { "Fn::GetAtt": [webAclId, "Arn"] },
      LogDestinationConfigs: [{ "Fn::Join": ["", Match.arrayWith([":log-group:", { Ref: wafLogs?.[0] }])] }],
      LoggingFilter: {
        DefaultBehavior: "DROP",
        Filters: [
          {
            Behavior: "KEEP",
            Requirement: "MEETS_ANY",
            Conditions: [{ ActionCondition: { Action: "BLOCK" } }, { ActionCondition: { Action: "COUNT" } }],
          },
        ],
      },
    });
    // WAF can redact only the URI, query string, a header or the method: a body is never logged, and
    // none of the rules inspects a field that would copy the body into the log (SQLi/XSS matches).
    expect(JSON.stringify(resourcesOfType(template, "AWS::WAFv2::WebACL"))).not.toMatch(/Sqli|Xss/);
  });

  it("keeps S3 and CloudFront access logs in a private, TLS-only log bucket that expires them after 90 days", () => {
    const { template } = synth("prod");
    const buckets = resourcesOfType(template, "AWS::S3::Bucket");
    const [logBucketId, logBucket] =
      Object.entries(buckets).find(([, bucket]) => bucket.Properties?.LifecycleConfiguration) ?? [];
    expect(logBucket?.Properties).toMatchObject({
      LifecycleConfiguration: {
        Rules: [
          {
            ExpirationInDays: 90,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: "Enabled",
          },
        ],
      },
      // CloudFront's standard logging writes through ACLs.
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
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
    expect(logBucket?.DeletionPolicy).toBe("Retain");
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          Match.objectLike({ Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" } }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: "site-bucket/" },
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Logging: {
          Bucket: { "Fn::GetAtt": [logBucketId, "RegionalDomainName"] },
          IncludeCookies: false,
          Prefix: "cloudfront/",
        },
      }),
    });
  });

  it("serves the page on its custom domain with the ACM certificate and TLS 1.2 (2021) at least", () => {
    synth("prod").template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: ["otp.example.com"],
        ViewerCertificate: {
          AcmCertificateArn: SITE_CERTIFICATE_ARN,
          MinimumProtocolVersion: "TLSv1.2_2021",
          SslSupportMethod: "sni-only",
        },
      }),
    });
  });

  it("allows SMS to exactly OTP_ALLOWED_COUNTRIES in a protect configuration, made the account default", () => {
    const { template } = synth("prod");
    const protectId = logicalIdOf(template, "AWS::SMSVOICE::ProtectConfiguration");
    const rules = resourcesOf(template)[protectId]?.Properties?.CountryRuleSet as {
      SMS: { CountryCode: string; ProtectStatus: string }[];
    };
    expect(
      rules.SMS.filter((rule) => rule.ProtectStatus === "ALLOW").map((rule) => rule.CountryCode),
    ).toEqual(["CA", "US"]);
    const blocked = rules.SMS.filter((rule) => rule.ProtectStatus === "BLOCK").map(
      (rule) => rule.CountryCode,
    );
    expect(blocked).toEqual(expect.arrayContaining(["GB", "DE", "RU", "XK"]));
    expect(blocked.length + 2).toBe(SMS_DESTINATIONS.length);

    const accountDefault = Object.values(resourcesOfType(template, "Custom::AWS"));
    expect(accountDefault).toHaveLength(1);
    const call = JSON.stringify(accountDefault[0]?.Properties);
    expect(call).toContain('\\"service\\":\\"pinpoint-sms-voice-v2\\"');
    expect(call).toContain('\\"action\\":\\"SetAccountDefaultProtectConfiguration\\"');
    expect(call).toContain('\\"action\\":\\"DeleteAccountDefaultProtectConfiguration\\"');
    expect(call).toContain(`{"Fn::GetAtt":["${protectId}","ProtectConfigurationId"]}`);
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: [
          {
            Effect: "Allow",
            Action: "sms-voice:SetAccountDefaultProtectConfiguration",
            Resource: { "Fn::GetAtt": [protectId, "Arn"] },
          },
          { Effect: "Allow", Action: "sms-voice:DeleteAccountDefaultProtectConfiguration", Resource: "*" },
        ],
      },
    });
  });

  it("rotates the service secret every 30 days with its own function, never on deploy", () => {
    const { template, outdir } = synth("prod");
    const rotator = rotatorOf();
    template.hasResourceProperties("AWS::SecretsManager::RotationSchedule", {
      SecretId: { Ref: logicalIdOf(template, "AWS::SecretsManager::Secret") },
      RotationLambdaARN: { "Fn::GetAtt": [rotator.id, "Arn"] },
      RotationRules: { ScheduleExpression: "rate(30 days)" },
      RotateImmediatelyOnUpdate: false,
    });
    // Only Secrets Manager acting for this account may run it.
    template.hasResourceProperties("AWS::Lambda::Permission", {
      FunctionName: { "Fn::GetAtt": [rotator.id, "Arn"] },
      Principal: "secretsmanager.amazonaws.com",
      SourceAccount: { Ref: "AWS::AccountId" },
    });
    expect(rotator.properties).toMatchObject({ Runtime: "nodejs24.x", TracingConfig: { Mode: "Active" } });
    const dir = join(outdir, `asset.${rotator.properties.Code.S3Key.replace(/\.zip$/, "")}`);
    expect(readFileSync(join(dir, "index.mjs"), "utf8")).toContain("createSecret");
  });

  it("lets the rotation function change exactly the service secret, and nothing else", () => {
    const { template } = synth("prod");
    const rotator = rotatorOf();
    const statements = roleStatements(template, rotator.properties.Role["Fn::GetAtt"][0]).map(
      (statement) => ({
        Action: actionsOf(statement).sort(),
        Resource: statement.Resource,
      }),
    );
    expect(statements).toEqual([
      {
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: { "Fn::GetAtt": [rotator.properties.LoggingConfig.LogGroup.Ref, "Arn"] },
      },
      {
        Action: ["secretsmanager:GetRandomPassword", "xray:PutTelemetryRecords", "xray:PutTraceSegments"],
        Resource: "*",
      },
      {
        Action: [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ],
        Resource: { Ref: logicalIdOf(template, "AWS::SecretsManager::Secret") },
      },
    ]);
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
    // The two route functions and the rotation function.
    const functionErrors = Object.values(resourcesOfType(template, "AWS::CloudWatch::Alarm")).filter(
      (alarm) => alarm.Properties?.Namespace === "AWS/Lambda" && alarm.Properties?.MetricName === "Errors",
    );
    expect(functionErrors).toHaveLength(routes.length + 1);
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

  it("alarms on SMS pumping (conversion collapse, spent budgets, blocks) from the functions' metrics", () => {
    const { template } = synth("prod");
    const alarmAction = { AlarmActions: [{ Ref: logicalIdOf(template, "AWS::SNS::Topic") }] };
    const metricOf = (name: string, dimensions: Record<string, string>, period: number) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: METRIC_NAMESPACE,
            MetricName: name,
            // CDK writes dimensions sorted by name.
            Dimensions: Object.entries({ service: METRIC_SERVICE, ...dimensions })
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([Name, Value]) => ({ Name, Value })),
          },
          Period: period,
          Stat: "Sum",
        }),
      });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      ComparisonOperator: "LessThanThreshold",
      Threshold: 20,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "IF(sent >= 20, 100 * verified / sent, 100)" }),
        metricOf(METRICS.codeSent, {}, 3600),
        metricOf(METRICS.codeVerified, {}, 3600),
      ]),
      ...alarmAction,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "country + total" }),
        metricOf(METRICS.sendRefused, { reason: "country_hourly_limit" }, 300),
        metricOf(METRICS.sendRefused, { reason: "global_hourly_limit" }, 300),
      ]),
      ...alarmAction,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "range + country" }),
        metricOf(METRICS.scopeBlocked, { scope: "range" }, 300),
        metricOf(METRICS.scopeBlocked, { scope: "country" }, 300),
      ]),
      ...alarmAction,
    });
  });

  it("has a dashboard of sends, verifications, conversion, refusals by reason, blocks, countries and SMS spend", () => {
    const { template } = synth("prod");
    const dashboards = Object.values(resourcesOfType(template, "AWS::CloudWatch::Dashboard"));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const title of [
      "Codes sent and verified",
      "Conversion (verified per sent, hourly)",
      "Sends refused, by reason",
      "Ranges and countries blocked",
      "Codes sent, by country",
      "SMS spend this month",
    ]) {
      expect(body).toContain(title);
    }
    for (const reason of REFUSAL_REASONS) expect(body).toContain(`\\"reason\\",\\"${reason}\\"`);
    expect(body).toContain("SMSMonthToDateSpentUSD");
    expect(body).toContain("100 * verified / sent");
  });

  it("lets the page load Cloudflare Turnstile when a site key is set, and gives its secret to generate only", () => {
    const { template } = synth("prod");
    const [policy] = Object.values(resourcesOfType(template, "AWS::CloudFront::ResponseHeadersPolicy"));
    // The policy names the API's origin, so it is an Fn::Join: its text is read as JSON.
    expect(JSON.stringify(policy?.Properties)).toContain(
      "script-src 'self' https://challenges.cloudflare.com; frame-src https://challenges.cloudflare.com;",
    );
    const variables = (route: RouteDefinition) => functionOf("prod", route).properties.Environment.Variables;
    for (const route of routes) {
      expect(variables(route).OTP_TURNSTILE_SECRET_KEY).toBe(
        route.publishesSms ? "0x4AAAAAAAsecretkey" : undefined,
      );
    }
  });

  it("outputs the site URL on its custom domain, where to point that domain, and the API URL", () => {
    const { template } = synth("prod");
    template.hasOutput("SiteUrl", { Value: "https://otp.example.com/" });
    template.hasOutput("SiteDnsTarget", {
      Value: { "Fn::GetAtt": [logicalIdOf(template, "AWS::CloudFront::Distribution"), "DomainName"] },
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

  it("has no web ACL, SMS protect configuration or secret rotation, which LocalStack community lacks or stubs", () => {
    const types = Object.values(resourcesOf(synth("local").template)).map((resource) => resource.Type);
    expect(types.filter((type) => type.startsWith("AWS::WAFv2::"))).toEqual([]);
    expect(types).not.toContain("AWS::SMSVOICE::ProtectConfiguration");
    expect(types).not.toContain("AWS::SecretsManager::RotationSchedule");
  });

  it("says in its outputs what LocalStack accepts but ignores", () => {
    synth("local").template.hasOutput("LocalStackIgnores", {
      Value: Match.stringLikeRegexp(
        "gateway responses keep only their status.*no stage throttling.*log retention",
      ),
    });
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
