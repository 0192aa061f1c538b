import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";
import type { DeployStage } from "../lib/settings.ts";
import {
  type Acknowledgement,
  acknowledgementsIn,
  acknowledgementTable,
  type NagResults,
  readNagResults,
} from "./nag-report.ts";
import { type Synthesized, synthStage } from "./synth.ts";

/**
 * cdk-nag (AwsSolutions + Serverless) over both stages, the way `cdk synth -c nag=true` runs it:
 * no finding may be left unacknowledged, every acknowledgement must still suppress something, and
 * infra/README.md must list exactly the acknowledgements the code makes. Prod is checked twice,
 * with the defaults and with every option that adds or removes resources. No bundling: the
 * packs read the template, not the function code.
 *
 * After changing an acknowledgement, rewrite the README's table with
 * `NAG_TABLE=write npx vitest run --project infra infra/test/nag.test.ts`.
 */

interface Variant {
  readonly name: string;
  readonly stage: DeployStage;
  readonly context: Readonly<Record<string, unknown>>;
}

const VARIANTS: readonly Variant[] = [
  { name: "prod with the defaults", stage: "prod", context: {} },
  {
    name: "prod with a custom domain, SMS protection as account default, an alarm email and no WAF",
    stage: "prod",
    context: {
      siteDomain: "otp.example.com",
      siteCertificateArn:
        "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
      OTP_ALLOWED_COUNTRIES: "US,CA",
      smsProtectAccountDefault: "true",
      alarmEmail: "ops@example.com",
      wafEnabled: "false",
    },
  },
  { name: "local", stage: "local", context: {} },
];

const README = join(REPO_ROOT, "infra", "README.md");
const TABLE_START = "<!-- cdk-nag acknowledgements: generated, see infra/test/nag.test.ts -->";
const TABLE_END = "<!-- end of cdk-nag acknowledgements -->";

interface Checked {
  readonly synthesized: Synthesized;
  readonly results: NagResults;
  readonly acknowledgements: readonly Acknowledgement[];
}

const checked = new Map<string, Checked>();

beforeAll(() => {
  for (const variant of VARIANTS) {
    const synthesized = synthStage(variant.stage, {
      context: { ...variant.context, nag: true, "@aws-cdk/core:failSynthOnValidationErrors": false },
    });
    checked.set(variant.name, {
      synthesized,
      results: readNagResults(synthesized.outdir),
      acknowledgements: acknowledgementsIn(synthesized.stack),
    });
  }
});

afterAll(() => {
  for (const { synthesized } of checked.values()) synthesized.cleanup();
});

function resultOf(variant: Variant): Checked {
  const result = checked.get(variant.name);
  if (!result) throw new Error(`${variant.name} was not synthesized`);
  return result;
}

describe.each(VARIANTS)("cdk-nag on $name", (variant) => {
  it("ran both packs", () => {
    expect(resultOf(variant).results.packs).toEqual(["AwsSolutions", "Serverless"]);
  });

  it("leaves no finding unacknowledged", () => {
    expect(resultOf(variant).results.open).toEqual([]);
  });

  it("has no acknowledgement that suppresses nothing", () => {
    const { results, acknowledgements } = resultOf(variant);
    const unused = acknowledgements
      .map(({ id, path }) => `${id} at ${path}`)
      .filter((acknowledgement) => !results.used.has(acknowledgement));
    expect(unused).toEqual([]);
  });
});

describe("infra/README.md", () => {
  it("lists every acknowledgement with its stage, construct, rule and reason", () => {
    const byStage: Record<string, Acknowledgement[]> = {};
    for (const variant of VARIANTS) {
      byStage[variant.stage] = [...(byStage[variant.stage] ?? []), ...resultOf(variant).acknowledgements];
    }
    const table = acknowledgementTable(byStage);
    const readme = readFileSync(README, "utf8");
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, `infra/README.md has the line ${TABLE_START}`).toBeGreaterThanOrEqual(0);
    expect(end, `infra/README.md has the line ${TABLE_END}`).toBeGreaterThan(start);
    const listed = readme.slice(start + TABLE_START.length, end).trim();
    if (process.env.NAG_TABLE === "write" && listed !== table) {
      writeFileSync(README, `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`);
      return;
    }
    expect(listed, "the acknowledgement table is out of date: rerun this test with NAG_TABLE=write").toBe(
      table,
    );
  });
});
