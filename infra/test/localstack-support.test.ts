import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourcesOf, type Synthesized, synthStage } from "./synth.ts";

interface SupportList {
  readonly source: string;
  readonly types: readonly string[];
}

// Built from the LocalStack 4.14.0 source tag; see "source" and "notes" in the file.
const supported = JSON.parse(
  readFileSync(join(import.meta.dirname, "localstack-community-cfn-types.json"), "utf8"),
) as SupportList;

let local: Synthesized | undefined;
let prod: Synthesized | undefined;

beforeAll(() => {
  local = synthStage("local");
  prod = synthStage("prod");
});

afterAll(() => {
  local?.cleanup();
  prod?.cleanup();
});

function typesOf(result: Synthesized | undefined): string[] {
  if (!result) throw new Error("not synthesized");
  return [...new Set(Object.values(resourcesOf(result.template)).map((resource) => resource.Type))].sort();
}

describe("LocalStack community 4.14 can deploy the local stage", () => {
  it("uses a support list taken from LocalStack 4.14.0", () => {
    expect(supported.source).toContain("v4.14.0");
    expect(supported.types).toContain("AWS::Lambda::Function");
    expect(supported.types.some((type) => type.startsWith("AWS::CloudFront::"))).toBe(false);
  });

  it("has only resource types LocalStack community provides", () => {
    const unsupported = typesOf(local).filter((type) => !supported.types.includes(type));
    expect(unsupported).toEqual([]);
  });

  it("would not pass with the prod template (CloudFront, custom resources), so the check can fail", () => {
    const unsupported = typesOf(prod).filter((type) => !supported.types.includes(type));
    expect(unsupported).toEqual(
      expect.arrayContaining([
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "Custom::CDKBucketDeployment",
      ]),
    );
  });
});
