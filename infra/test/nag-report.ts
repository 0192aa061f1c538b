import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Stack, Validations } from "aws-cdk-lib";

/**
 * Reading cdk-nag 3's results. The packs run as validation plugins at synth; with
 * `@aws-cdk/core:failSynthOnValidationErrors: false` synth does not throw and the findings are
 * only in the cloud assembly's validation-report.json: open ones under `violations`, acknowledged
 * ones under `suppressedViolations` with the acknowledgement's id, place and reason.
 */

interface ReportFinding {
  readonly ruleName: string;
  readonly severity: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
  readonly acknowledgedId?: string;
  readonly acknowledgedAt?: string;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly ReportFinding[];
    readonly suppressedViolations?: readonly ReportFinding[];
  }[];
}

export interface NagResults {
  readonly packs: readonly string[];
  /** Unacknowledged findings, as `severity rule at construct path`. */
  readonly open: readonly string[];
  /** `id at construct path` of every acknowledgement that suppressed at least one finding. */
  readonly used: ReadonlySet<string>;
}

export function readNagResults(assemblyDir: string): NagResults {
  const report = JSON.parse(
    readFileSync(join(assemblyDir, "validation-report.json"), "utf8"),
  ) as ValidationReport;
  const open: string[] = [];
  const used = new Set<string>();
  for (const plugin of report.pluginReports) {
    for (const finding of plugin.violations) {
      for (const construct of finding.violatingConstructs) {
        open.push(`${finding.severity} ${finding.ruleName} at ${construct.constructPath}`);
      }
    }
    for (const finding of plugin.suppressedViolations ?? []) {
      used.add(`${finding.acknowledgedId} at ${finding.acknowledgedAt}`);
    }
  }
  return { packs: report.pluginReports.map((plugin) => plugin.pluginName), open, used };
}

/** One `Validations.of(construct).acknowledge()` made in the stack's code. */
export interface Acknowledgement {
  /** Construct path, including the stack's name. */
  readonly path: string;
  /** Namespaced id, e.g. `AwsSolutions::AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded on the stack's constructs (CDK keeps them as node metadata). */
export function acknowledgementsIn(stack: Stack): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return found;
}

/**
 * The acknowledgement table of infra/README.md: one row per construct and reason, with the
 * stages it applies to and its rule ids (without the pack namespace).
 */
export function acknowledgementTable(byStage: Readonly<Record<string, readonly Acknowledgement[]>>): string {
  const rows = new Map<
    string,
    { stages: Set<string>; construct: string; rules: Set<string>; reason: string }
  >();
  for (const [stage, acknowledgements] of Object.entries(byStage)) {
    for (const { path, id, reason } of acknowledgements) {
      const construct = path.split("/").slice(1).join("/");
      const key = `${construct}\n${reason}`;
      const row = rows.get(key) ?? { stages: new Set(), construct, rules: new Set(), reason };
      row.stages.add(stage);
      row.rules.add(id.split("::").slice(1).join("::"));
      rows.set(key, row);
    }
  }
  const lines = [...rows.values()]
    .map((row) => ({ ...row, stageText: [...row.stages].sort().reverse().join(", ") }))
    .sort((a, b) => a.stageText.localeCompare(b.stageText) || a.construct.localeCompare(b.construct))
    .map(
      (row) =>
        `| ${row.stageText} | \`${row.construct}\` | ${[...row.rules]
          .sort()
          .map((rule) => `\`${rule}\``)
          .join("<br>")} | ${row.reason.replace(/[*|]/g, "\\$&")} |`,
    );
  return ["| stage | construct | rule | reason |", "| --- | --- | --- | --- |", ...lines].join("\n");
}
