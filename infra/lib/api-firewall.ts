import { ArnFormat, type RemovalPolicy, Stack } from "aws-cdk-lib";
import type { Stage } from "aws-cdk-lib/aws-apigateway";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from "aws-cdk-lib/aws-wafv2";
import { Construct } from "constructs";
import { type GatewayResponse, gatewayCorsHeaders, gatewayResponses } from "#api-contract";
import type { AnonymousIpMode } from "./settings.ts";

export interface ApiFirewallProps {
  /** The REST API stage the web ACL protects. */
  readonly stage: Stage;
  /** Path of the route that sends SMS: the rate-based rule counts requests to it only. */
  readonly smsRoutePath: string;
  /** Requests to `smsRoutePath` one IP may make in 5 minutes. */
  readonly smsRouteRateLimit: number;
  readonly anonymousIpList: AnonymousIpMode;
  /** Largest body the handlers accept; larger ones are refused before they reach a function. */
  readonly maxBodyBytes: number;
  /** The site's origin: WAF's own answers carry CORS headers for it, as the gateway's do. */
  readonly primaryOrigin: string;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Seconds a client blocked by the rate-based rule should wait: its evaluation window. */
const RATE_WINDOW_SECONDS = 300;

/** Managed rule groups without a subscription fee: only the per-rule price applies. */
const IP_REPUTATION_GROUP = "AWSManagedRulesAmazonIpReputationList";
const ANONYMOUS_IP_GROUP = "AWSManagedRulesAnonymousIpList";

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  // Sampled requests show headers and the URI (never bodies) for three hours in the console.
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/**
 * AWS WAF in front of the REST API stage: a per-IP rate limit on the SMS-sending route (SMS
 * pumping through one address), Amazon's IP reputation list, the anonymous-IP list (VPNs,
 * proxies, Tor, hosting providers) and a body size cap. Its two own refusals answer like the
 * API would (429 as the stage throttle, 413 as the gateway's too-large answer, both with CORS);
 * requests the managed lists block get the gateway's WAF_FILTERED answer (403, with CORS).
 * WAF logs hold blocked and counted requests only; WAF never logs request bodies.
 */
export class ApiFirewall extends Construct {
  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    const answer = (
      response: GatewayResponse,
      bodyKey: string,
      headers: Readonly<Record<string, string>> = {},
    ): CfnWebACL.CustomResponseProperty => ({
      responseCode: response.statusCode,
      customResponseBodyKey: bodyKey,
      responseHeaders: Object.entries({
        ...gatewayCorsHeaders(props.primaryOrigin),
        ...response.headers,
        ...headers,
      }).map(([name, value]) => ({ name, value })),
    });

    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: "SmsRouteRatePerIp",
        priority: 0,
        action: {
          block: {
            customResponse: answer(gatewayResponses.throttled, "throttled", {
              "retry-after": String(RATE_WINDOW_SECONDS),
            }),
          },
        },
        statement: {
          rateBasedStatement: {
            limit: props.smsRouteRateLimit,
            evaluationWindowSec: RATE_WINDOW_SECONDS,
            aggregateKeyType: "IP",
            // ENDS_WITH: WAF may see the path with or without the API stage prefix (/v1).
            scopeDownStatement: {
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: "ENDS_WITH",
                searchString: props.smsRoutePath,
                textTransformations: [
                  { priority: 0, type: "URL_DECODE" },
                  { priority: 1, type: "LOWERCASE" },
                ],
              },
            },
          },
        },
        visibilityConfig: visibility(`${stackName}-SmsRouteRatePerIp`),
      },
      {
        name: IP_REPUTATION_GROUP,
        priority: 1,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: IP_REPUTATION_GROUP } },
        visibilityConfig: visibility(`${stackName}-IpReputation`),
      },
      ...(props.anonymousIpList === "off"
        ? []
        : [
            {
              name: ANONYMOUS_IP_GROUP,
              priority: 2,
              // count: log and measure what the list would block, without blocking it.
              overrideAction: props.anonymousIpList === "count" ? { count: {} } : { none: {} },
              statement: { managedRuleGroupStatement: { vendorName: "AWS", name: ANONYMOUS_IP_GROUP } },
              visibilityConfig: visibility(`${stackName}-AnonymousIp`),
            },
          ]),
      {
        name: "BodyTooLarge",
        priority: 3,
        action: { block: { customResponse: answer(gatewayResponses.requestTooLarge, "requestTooLarge") } },
        statement: {
          sizeConstraintStatement: {
            // WAF inspects the first 16 KB of a body; anything longer counts as too large.
            fieldToMatch: { body: { oversizeHandling: "MATCH" } },
            comparisonOperator: "GT",
            size: props.maxBodyBytes,
            textTransformations: [{ priority: 0, type: "NONE" }],
          },
        },
        visibilityConfig: visibility(`${stackName}-BodyTooLarge`),
      },
    ];

    const webAcl = new CfnWebACL(this, "WebAcl", {
      name: `${stackName}-api`,
      description: "SMS OTP API: per-IP SMS rate, IP reputation, anonymous IPs, body size",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules,
      customResponseBodies: {
        throttled: {
          contentType: "APPLICATION_JSON",
          content: JSON.stringify(gatewayResponses.throttled.body),
        },
        requestTooLarge: {
          contentType: "APPLICATION_JSON",
          content: JSON.stringify(gatewayResponses.requestTooLarge.body),
        },
      },
      visibilityConfig: visibility(`${stackName}-api`),
    });
    new CfnWebACLAssociation(this, "Association", {
      resourceArn: props.stage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    // The name must start with aws-waf-logs-. The web ACL's id (new for every web ACL) keeps a
    // later deployment from colliding with the group a destroyed stack retained.
    const logGroup = new LogGroup(this, "Logs", {
      logGroupName: `aws-waf-logs-${stackName}-${webAcl.attrId}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    new CfnLoggingConfiguration(this, "Logging", {
      resourceArn: webAcl.attrArn,
      // The documented form: the group's ARN without the ":*" that its Arn attribute ends with.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: "logs",
          resource: "log-group",
          resourceName: logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Allowed requests are the access log's job; WAF logs what it blocked or counted. Typed
      // `any` in CDK, so CloudFormation's own PascalCase keys are written here.
      loggingFilter: {
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
  }
}
