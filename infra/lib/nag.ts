import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/** A cdk-nag rule id as the packs print it, e.g. `AwsSolutions-IAM5[Resource::*]`. */
export type NagRuleId = `AwsSolutions-${string}` | `Serverless-${string}`;

export interface NagAcknowledgement {
  readonly rule: NagRuleId;
  /** Why the finding is accepted here: specific to this resource, never just "not needed". */
  readonly reason: string;
}

/**
 * Registers the cdk-nag AwsSolutions and Serverless packs (cdk-nag 3 runs them as validation
 * plugins at synth). Every unacknowledged finding then fails `cdk synth`, unless the context sets
 * `@aws-cdk/core:failSynthOnValidationErrors` to false, as the tests do to read the report.
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}

/**
 * Acknowledges cdk-nag findings on a construct and everything under it. The id is namespaced by
 * pack (`AwsSolutions::AwsSolutions-…`), so CDK itself suppresses the finding and records the
 * reason in the validation report; a bare id would make cdk-nag drop it without a trace.
 */
export function acknowledge(scope: IConstruct, ...acknowledgements: readonly NagAcknowledgement[]): void {
  Validations.of(scope).acknowledge(
    ...acknowledgements.map(({ rule, reason }) => ({ id: `${rule.split("-")[0]}::${rule}`, reason })),
  );
}
