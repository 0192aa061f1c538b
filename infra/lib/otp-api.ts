import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import {
  AccessLogFormat,
  EndpointType,
  type IResource,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type RequestValidator,
  ResponseType,
  RestApi,
} from "aws-cdk-lib/aws-apigateway";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import {
  API_STAGE_NAME,
  CORS_PREFLIGHT,
  gatewayCorsHeaders,
  gatewayResponses,
  type JsonSchemaDraft4,
  REQUEST_MEDIA_TYPE,
  type RouteDefinition,
  requestSchemas,
  type ThrottleLimits,
} from "#api-contract";
import { acknowledge } from "./nag.ts";

export interface OtpApiProps {
  readonly name: string;
  readonly throttle: ThrottleLimits;
  /**
   * JSON access logs and ERROR-level execution logs. Both need API Gateway's account-level
   * CloudWatch role, created here; unset, the API logs nothing.
   */
  readonly logs: { readonly retention: RetentionDays; readonly removalPolicy: RemovalPolicy } | undefined;
  /** X-Ray active tracing of the API stage. */
  readonly tracing: boolean;
}

/**
 * Access log fields, one JSON object per request. No bodies and no headers: the bodies carry
 * phone numbers and codes. `responseType` says which gateway response (e.g. THROTTLED) answered,
 * which is how the throttle alarm tells stage throttling apart from the handler's own 429s.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    time: "$context.requestTime",
    ip: "$context.identity.sourceIp",
    method: "$context.httpMethod",
    path: "$context.resourcePath",
    status: "$context.status",
    responseType: "$context.error.responseType",
    integrationStatus: "$context.integration.status",
    latencyMs: "$context.responseLatency",
    userAgent: "$context.identity.userAgent",
  }),
);

/** API Gateway's default gateway response body. */
const DEFAULT_BODY = '{"message":$context.error.messageString}';

/**
 * A plain draft-04 schema in CDK's spelling (`$schema` is `schema`): CDK writes it back as the
 * same JSON the dev server validates with.
 */
function cdkJsonSchema(schema: JsonSchemaDraft4): JsonSchema {
  const { $schema, properties, ...rest } = schema;
  return {
    ...(rest as JsonSchema),
    ...($schema ? { schema: $schema as JsonSchema["schema"] } : {}),
    ...(properties
      ? { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, cdkJsonSchema(v)])) }
      : {}),
  };
}

/** `retry-after` -> `Retry-After`: gateway response headers are written as HTTP shows them. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Gateway response header values are mapping expressions: a static value is single-quoted. */
function quotedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [headerName(name), `'${value}'`]));
}

/**
 * The REST API: stage throttling, a body validator, CORS preflight per route and gateway
 * responses in the service's error format, all with CORS headers so a browser can read them.
 */
export class OtpApi extends Construct {
  readonly restApi: RestApi;
  readonly accessLogGroup: LogGroup | undefined;
  private readonly bodyValidator: RequestValidator;

  constructor(scope: Construct, id: string, props: OtpApiProps) {
    super(scope, id);
    this.accessLogGroup = props.logs
      ? new LogGroup(this, "AccessLogs", {
          retention: props.logs.retention,
          removalPolicy: props.logs.removalPolicy,
        })
      : undefined;

    this.restApi = new RestApi(this, "RestApi", {
      restApiName: props.name,
      description: "SMS one-time passcodes: POST /generate, POST /validate",
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: this.accessLogGroup !== undefined,
      deployOptions: {
        stageName: API_STAGE_NAME,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        // ERROR records why API Gateway itself failed a request (integration, authorization,
        // mapping). Data traces would write request and response bodies (phones, codes): never.
        loggingLevel: props.logs ? MethodLoggingLevel.ERROR : MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: false,
        tracingEnabled: props.tracing,
        ...(this.accessLogGroup
          ? {
              accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
              accessLogFormat: ACCESS_LOG_FORMAT,
            }
          : {}),
      },
    });
    if (props.logs) {
      // API Gateway writes execution logs to a group of this fixed name, creating it without
      // retention on first use; created here first, it gets the stack's retention instead.
      const executionLogs = new LogGroup(this, "ExecutionLogs", {
        logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${API_STAGE_NAME}`,
        retention: props.logs.retention,
        removalPolicy: props.logs.removalPolicy,
      });
      this.restApi.deploymentStage.node.addDependency(executionLogs);
      acknowledge(this.restApi, {
        rule: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        reason:
          "The account-level role API Gateway writes logs with; AWS documents this managed policy for it, and CDK's RestApi attaches it.",
      });
    }
    acknowledge(
      this.restApi,
      {
        rule: "AwsSolutions-APIG4",
        reason:
          "A public one-time-passcode API: callers are anonymous until the SMS code proves the phone. Abuse is bounded by the web ACL (prod), the stage throttle and the per-phone and per-IP limits.",
      },
      {
        rule: "AwsSolutions-COG4",
        reason: "No Cognito user pool: this API is what proves a phone number before any account exists.",
      },
    );
    // RestApi adds an "Endpoint" output of its own: on LocalStack that URL is wrong (no port), and
    // the stack's ApiUrl output says the same on AWS.
    this.restApi.node.tryRemoveChild("Endpoint");
    // The routes declare no parameters, so checking them costs nothing; cdk-nag (APIG2) wants both.
    this.bodyValidator = this.restApi.addRequestValidator("BodyValidator", {
      requestValidatorName: "body",
      validateRequestBody: true,
      validateRequestParameters: true,
    });
  }

  /** Adds one route of the shared table: the method, its body model and its CORS preflight. */
  addRoute(route: RouteDefinition, handler: IFunction, allowedOrigins: readonly string[]): IResource {
    const resource = this.restApi.root.resourceForPath(route.path);
    resource.addCorsPreflight({
      allowOrigins: [...allowedOrigins],
      allowMethods: [route.method],
      allowHeaders: [...CORS_PREFLIGHT.allowHeaders],
      maxAge: Duration.seconds(CORS_PREFLIGHT.maxAgeSeconds),
    });
    const model = this.restApi.addModel(`${route.name}RequestModel`, {
      contentType: REQUEST_MEDIA_TYPE,
      modelName: `${route.name[0]?.toUpperCase() ?? ""}${route.name.slice(1)}Request`,
      schema: cdkJsonSchema(requestSchemas[route.name]),
    });
    resource.addMethod(route.method, new LambdaIntegration(handler, { allowTestInvoke: false }), {
      requestValidator: this.bodyValidator,
      requestModels: { [REQUEST_MEDIA_TYPE]: model },
    });
    return resource;
  }

  /**
   * Answers that API Gateway gives by itself, from the shared table the dev server also answers
   * from, all with CORS headers so a browser can read them. A gateway response can only carry a
   * fixed Access-Control-Allow-Origin, so it names the first allowed origin (the site).
   */
  addGatewayResponses(primaryOrigin: string): void {
    const headers = quotedHeaders(gatewayCorsHeaders(primaryOrigin));
    const shared = Object.values(gatewayResponses).map((response) => ({
      id: `Gateway${response.type}`,
      type: ResponseType.of(response.type),
      statusCode: response.statusCode.toString(),
      body: JSON.stringify(response.body),
      extraHeaders: quotedHeaders(response.headers),
    }));
    const responses = [
      ...shared,
      // Every other gateway answer keeps API Gateway's own status and message, plus CORS.
      {
        id: "Default4xx",
        type: ResponseType.DEFAULT_4XX,
        statusCode: undefined,
        body: DEFAULT_BODY,
        extraHeaders: {},
      },
      {
        id: "Default5xx",
        type: ResponseType.DEFAULT_5XX,
        statusCode: undefined,
        body: DEFAULT_BODY,
        extraHeaders: {},
      },
    ];
    for (const response of responses) {
      this.restApi.addGatewayResponse(response.id, {
        type: response.type,
        ...(response.statusCode ? { statusCode: response.statusCode } : {}),
        responseHeaders: { ...headers, ...(response.extraHeaders ?? {}) },
        templates: { "application/json": response.body },
      });
    }
  }
}
