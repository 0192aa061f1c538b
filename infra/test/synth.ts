import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { REPO_ROOT } from "#api-contract";
import { buildApp } from "../lib/app.ts";
import type { OtpStack } from "../lib/otp-stack.ts";
import type { DeployStage } from "../lib/settings.ts";

/** The context in infra/cdk.json (feature flags), which the CLI would pass to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, "infra", "cdk.json"), "utf8")) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthOptions {
  /** Extra CDK context (e.g. OTP_* variables, throttle limits). */
  readonly context?: Record<string, unknown>;
  /** Run esbuild for the functions (slower); otherwise assets are left unbuilt. */
  readonly bundle?: boolean;
}

export interface Synthesized {
  readonly stack: OtpStack;
  readonly template: Template;
  /** The cloud assembly directory (asset bundles live here). */
  readonly outdir: string;
  /** Removes the temporary page and cloud assembly. */
  readonly cleanup: () => void;
}

/**
 * Synthesizes one stage the way `cdk synth -c stage=<stage>` does (same cdk.json context), with a
 * small page in a temporary directory standing in for the built web page.
 */
export function synthStage(stage: DeployStage, options: SynthOptions = {}): Synthesized {
  const workDir = mkdtempSync(join(tmpdir(), `sms-otp-infra-${stage}-`));
  const webAssetDir = join(workDir, "web");
  mkdirSync(webAssetDir);
  writeFileSync(join(webAssetDir, "index.html"), "<!doctype html><title>SMS OTP</title>\n");
  const outdir = join(workDir, "cdk.out");
  const { stack } = buildApp({
    outdir,
    context: {
      ...cdkJsonContext(),
      stage,
      webAssetDir,
      ...(options.bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
      ...options.context,
    },
  });
  const template = Template.fromStack(stack);
  return { stack, template, outdir, cleanup: () => rmSync(workDir, { recursive: true, force: true }) };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }
>;

/** Every resource of a template, by logical id. */
export function resourcesOf(template: Template): Resources {
  return (template.toJSON() as { Resources: Resources }).Resources;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Resources {
  return Object.fromEntries(
    Object.entries(resourcesOf(template)).filter(([, resource]) => resource.Type === type),
  );
}
