import { Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { CfnProtectConfiguration } from "aws-cdk-lib/aws-smsvoice";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { acknowledge } from "./nag.ts";
import type { SmsProtectSettings } from "./settings.ts";
import { SMS_DESTINATIONS } from "./sms-countries.ts";

/** The id of the function aws-cdk-lib runs every AwsCustomResource of a stack with. */
const AWS_CUSTOM_RESOURCE_HANDLER_ID = "AWS679f53fac002430cb0da5b7982bd2287";

/**
 * An AWS End User Messaging SMS protect configuration that allows SMS to exactly the countries of
 * OTP_ALLOWED_COUNTRIES and blocks every other destination: the account-level guard against SMS
 * pumping, beside the service's own country check. It governs SNS (what the functions send
 * through) only as the account default, which `accountDefault` sets with an AwsCustomResource:
 * CloudFormation has no property for it. Deleting the stack (or turning the flag off) removes
 * the account default again.
 */
export class SmsProtection extends Construct {
  private readonly protectConfiguration: CfnProtectConfiguration;

  constructor(scope: Construct, id: string, props: SmsProtectSettings) {
    super(scope, id);
    const allowed = new Set(props.allowedCountries);
    this.protectConfiguration = new CfnProtectConfiguration(this, "ProtectConfiguration", {
      // Every destination is listed: one left out would stay at the service's default, ALLOW.
      countryRuleSet: {
        sms: SMS_DESTINATIONS.map(([countryCode]) => ({
          countryCode,
          protectStatus: allowed.has(countryCode) ? "ALLOW" : "BLOCK",
        })),
      },
      deletionProtectionEnabled: false,
      tags: [{ key: "Name", value: `${Stack.of(this).stackName}-sms-countries` }],
    });

    if (props.accountDefault) this.makeAccountDefault();
  }

  private makeAccountDefault(): void {
    const service = "pinpoint-sms-voice-v2";
    const accountDefault = new AwsCustomResource(this, "AccountDefault", {
      onUpdate: {
        service,
        action: "SetAccountDefaultProtectConfiguration",
        parameters: { ProtectConfigurationId: this.protectConfiguration.attrProtectConfigurationId },
        physicalResourceId: PhysicalResourceId.of("account-default-protect-configuration"),
      },
      onDelete: { service, action: "DeleteAccountDefaultProtectConfiguration" },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ["sms-voice:SetAccountDefaultProtectConfiguration"],
          resources: [this.protectConfiguration.attrArn],
        }),
        new PolicyStatement({
          actions: ["sms-voice:DeleteAccountDefaultProtectConfiguration"],
          resources: ["*"],
        }),
      ]),
      // The SDK in the Lambda runtime has these calls; installing the latest would need npm at deploy.
      installLatestAwsSdk: false,
    });
    acknowledge(accountDefault, {
      rule: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "DeleteAccountDefaultProtectConfiguration acts on the account's setting and has no resource ARN (AWS End User Messaging SMS IAM actions: 'Not available. Use *'); Set is scoped to this protect configuration.",
    });

    const handler = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_HANDLER_ID);
    if (!handler) throw new Error("The AwsCustomResource handler function was not found at the stack root");
    acknowledge(
      handler,
      {
        rule: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "AwsCustomResource creates its handler's role with this managed policy; CDK offers no way to scope it.",
      },
      {
        rule: "Serverless-LambdaDLQ",
        reason:
          "CloudFormation invokes the handler synchronously as a custom resource and gets its failure back; a DLQ only catches asynchronous invocations.",
      },
      {
        rule: "Serverless-LambdaTracing",
        reason:
          "A deploy-time helper of aws-cdk-lib that makes one API call per deployment; there is no request path to trace.",
      },
      {
        rule: "Serverless-LambdaDefaultMemorySize",
        reason: "aws-cdk-lib sizes AwsCustomResource's handler; one SDK call per deployment needs no tuning.",
      },
    );
  }
}
