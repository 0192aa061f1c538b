import type { Template } from "aws-cdk-lib/assertions";
import { resourcesOf } from "./synth.ts";

export interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

interface PolicyDocument {
  readonly Statement: Statement[];
}

/** The actions of a statement as a list. */
export function actionsOf(statement: Statement): string[] {
  const action = statement.Action ?? [];
  return Array.isArray(action) ? action : [action];
}

/** Every policy statement in a template, with where it came from. */
export function allStatements(template: Template): { source: string; statement: Statement }[] {
  const found: { source: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(resourcesOf(template))) {
    const props = resource.Properties ?? {};
    const documents: PolicyDocument[] = [];
    if (props.PolicyDocument) documents.push(props.PolicyDocument as PolicyDocument);
    if (Array.isArray(props.Policies)) {
      for (const policy of props.Policies as { PolicyDocument: PolicyDocument }[])
        documents.push(policy.PolicyDocument);
    }
    if (resource.Type === "AWS::Lambda::Permission") {
      documents.push({ Statement: [{ Effect: "Allow", Action: props.Action as string }] });
    }
    for (const document of documents) {
      for (const statement of document.Statement)
        found.push({ source: `${id} (${resource.Type})`, statement });
    }
  }
  return found;
}

/** The statements of the identity policies attached to one role (AWS::IAM::Policy and inline). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const resource of Object.values(resourcesOf(template))) {
    const props = resource.Properties ?? {};
    if (resource.Type === "AWS::IAM::Policy") {
      const roles = (props.Roles ?? []) as { Ref?: string }[];
      if (roles.some((role) => role.Ref === roleLogicalId)) {
        statements.push(...(props.PolicyDocument as PolicyDocument).Statement);
      }
    }
  }
  const role = resourcesOf(template)[roleLogicalId];
  for (const policy of (role?.Properties?.Policies ?? []) as { PolicyDocument: PolicyDocument }[]) {
    statements.push(...policy.PolicyDocument.Statement);
  }
  return statements;
}
