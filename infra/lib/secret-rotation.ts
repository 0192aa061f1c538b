import { type Duration, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { CfnPermission } from "aws-cdk-lib/aws-lambda";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { acknowledge } from "./nag.ts";
import { OtpFunction } from "./otp-function.ts";

export interface SecretRotationProps {
  readonly secret: Secret;
  readonly every: Duration;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly tracing: boolean;
}

/**
 * Rotates the service secret on a schedule with the service's own rotation function
 * (functions/src/handlers/rotate-secret.ts): Secrets Manager's hosted rotations only know
 * database credentials. The function may touch exactly this secret, and only Secrets Manager of
 * this account may invoke it.
 */
export class SecretRotation extends Construct {
  readonly function: OtpFunction;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    this.function = new OtpFunction(this, "Function", {
      entry: "functions/src/handlers/rotate-secret.ts",
      description: "Rotates the service secret (Secrets Manager rotation steps).",
      environment: {},
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      tracing: props.tracing,
    });
    // Grants DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage on this
    // secret, GetRandomPassword, and the invoke permission for Secrets Manager.
    props.secret.addRotationSchedule("Rotation", {
      rotationLambda: this.function,
      automaticallyAfter: props.every,
      // A deploy never rotates: the first rotation comes one interval after the schedule starts.
      rotateImmediatelyOnUpdate: false,
    });

    // CDK's permission names only the service principal; AWS recommends aws:SourceAccount too, so
    // Secrets Manager acting for another account cannot invoke the function (confused deputy).
    const permissions = this.function.node.children.filter((child) => child instanceof CfnPermission);
    if (permissions.length !== 1 || !permissions[0]) {
      throw new Error(`Expected one invoke permission on the rotation function, found ${permissions.length}`);
    }
    permissions[0].sourceAccount = Stack.of(this).account;

    this.function.acknowledgeWildcardResources(
      "secretsmanager:GetRandomPassword (it generates the new value)",
    );
    acknowledge(this.function, {
      rule: "Serverless-LambdaDLQ",
      reason:
        "Secrets Manager invokes the rotation steps synchronously and retries a failed rotation itself; a DLQ only catches asynchronous invocations.",
    });
  }
}
