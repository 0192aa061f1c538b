import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Token } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";
import { buildApp } from "../lib/app.ts";
import { buildFunctionEnvironment, validateFunctionEnvironment } from "../lib/function-environment.ts";
import { PASSTHROUGH_VARIABLES, readStageSettings, SettingsError } from "../lib/settings.ts";
import { cdkJsonContext, resourcesOf, synthStage } from "./synth.ts";

function problemsOf(context: Record<string, unknown>): string {
  try {
    readStageSettings(context);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).message;
  }
  throw new Error("expected readStageSettings to throw");
}

describe("stage settings from CDK context", () => {
  it("defaults to prod, 50 requests/s with bursts of 100, and the built page in web/dist", () => {
    const settings = readStageSettings({});
    expect(settings).toMatchObject({
      stage: "prod",
      stackName: "SmsOtp-prod",
      nag: false,
      throttle: { rateLimit: 50, burstLimit: 100 },
      waf: { enabled: true, generateRateLimit: 20, anonymousIpList: "block" },
      siteDomain: undefined,
      smsProtect: undefined,
      alarmEmail: undefined,
      smsSpendAlarmUsd: 1,
      webAssetDir: join(REPO_ROOT, "web", "dist"),
      passthrough: {},
    });
  });

  it("reads the web ACL, custom domain, SMS protection and cdk-nag settings", () => {
    const settings = readStageSettings({
      wafEnabled: "false",
      wafGenerateRateLimit: "100",
      wafAnonymousIpList: "off",
      siteDomain: "otp.example.com",
      siteCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
      OTP_ALLOWED_COUNTRIES: "us, ca",
      smsProtectAccountDefault: true,
      nag: "true",
    });
    expect(settings).toMatchObject({
      nag: true,
      waf: { enabled: false, generateRateLimit: 100, anonymousIpList: "off" },
      siteDomain: {
        name: "otp.example.com",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
      },
      smsProtect: { allowedCountries: ["US", "CA"], accountDefault: true },
    });
  });

  it("builds an SMS protect configuration from OTP_ALLOWED_COUNTRIES alone, not made the account default", () => {
    expect(readStageSettings({ OTP_ALLOWED_COUNTRIES: "GB" }).smsProtect).toEqual({
      allowedCountries: ["GB"],
      accountDefault: false,
    });
  });

  it("reads the CLI's string values and resolves webAssetDir from the repository root", () => {
    const settings = readStageSettings({
      stage: "local",
      API_THROTTLE_RATE_LIMIT: "5",
      API_THROTTLE_BURST_LIMIT: 10,
      webAssetDir: "web/build",
      OTP_LENGTH: "8",
      OTP_ALLOWED_COUNTRIES: ["US", "CA"],
      "@aws-cdk/core:target-partitions": ["aws"],
    });
    expect(settings).toMatchObject({
      stage: "local",
      stackName: "SmsOtp-local",
      throttle: { rateLimit: 5, burstLimit: 10 },
      webAssetDir: join(REPO_ROOT, "web", "build"),
      passthrough: { OTP_LENGTH: "8", OTP_ALLOWED_COUNTRIES: "US,CA" },
    });
  });

  it("names every bad key at once", () => {
    const message = problemsOf({
      stage: "staging",
      API_THROTTLE_RATE_LIMIT: "0",
      API_THROTTLE_BURST_LIMIT: "lots",
      alarmEmail: "not-an-email",
    });
    expect(message).toContain('stage: must be one of prod, local (got "staging")');
    expect(message).toContain("API_THROTTLE_RATE_LIMIT: must be a number from 1 to 10000 (got 0)");
    expect(message).toContain('API_THROTTLE_BURST_LIMIT: must be a whole number from 1 to 5000 (got "lots")');
    expect(message).toContain("alarmEmail: must be an email address");
  });

  it("names every bad web ACL, domain, SMS protection and cdk-nag key at once", () => {
    const message = problemsOf({
      wafEnabled: "yes",
      wafGenerateRateLimit: "5",
      wafAnonymousIpList: "allow",
      siteDomain: "https://otp.example.com",
      siteCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123",
      OTP_ALLOWED_COUNTRIES: "US,CU,KP",
      nag: "1",
    });
    expect(message).toContain('wafEnabled: must be true or false (got "yes")');
    expect(message).toContain("wafGenerateRateLimit: must be a whole number from 10 to 2000000000 (got 5)");
    expect(message).toContain('wafAnonymousIpList: must be one of block, count, off (got "allow")');
    expect(message).toContain("siteDomain: must be a lower-case host name such as otp.example.com");
    expect(message).toContain("siteCertificateArn: must be a certificate in us-east-1");
    expect(message).toContain(
      "OTP_ALLOWED_COUNTRIES: CU, KP are not destinations of AWS End User Messaging SMS",
    );
    expect(message).toContain('nag: must be true or false (got "1")');
  });

  it("wants siteDomain and siteCertificateArn together, and countries for an account-default protect configuration", () => {
    expect(problemsOf({ siteDomain: "otp.example.com" })).toContain(
      "siteCertificateArn: is needed with siteDomain",
    );
    expect(
      problemsOf({ siteCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" }),
    ).toContain("siteDomain: is needed with siteCertificateArn");
    expect(problemsOf({ siteDomain: "otp.example.com", siteCertificateArn: "not-an-arn" })).toContain(
      'siteCertificateArn: must be an ACM certificate ARN (got "not-an-arn")',
    );
    expect(problemsOf({ smsProtectAccountDefault: "true" })).toContain(
      "smsProtectAccountDefault: needs OTP_ALLOWED_COUNTRIES",
    );
  });

  it("names the new key of a renamed one instead of ignoring it", () => {
    expect(problemsOf({ throttleRateLimit: "5" })).toContain(
      "throttleRateLimit: was renamed to API_THROTTLE_RATE_LIMIT",
    );
  });

  it("refuses misspelt OTP_ variables and variables the stack sets itself", () => {
    expect(problemsOf({ OTP_LENGHT: "6" })).toContain("OTP_LENGHT: is not a variable of the config schema");
    expect(problemsOf({ OTP_TOKEN_SECRET: "x".repeat(40) })).toContain(
      "OTP_TOKEN_SECRET: is set by the stack itself",
    );
    expect(problemsOf({ TABLE_NAME: "mine" })).toContain("TABLE_NAME: is set by the stack itself");
  });

  it("passes through exactly the schema's deployer-facing variables", () => {
    expect(PASSTHROUGH_VARIABLES).toContain("OTP_LENGTH");
    expect(PASSTHROUGH_VARIABLES).toContain("OTP_SMS_SENDER_ID");
    expect(PASSTHROUGH_VARIABLES).toContain("OTP_SMS_ORIGINATION_NUMBER");
    expect(PASSTHROUGH_VARIABLES).toContain("ALLOWED_ORIGINS");
    for (const owned of [
      "STAGE",
      "TABLE_NAME",
      "OTP_TOKEN_SECRET",
      "OTP_TOKEN_SECRET_ARN",
      "SMS_CAPTURE_TOPIC_ARN",
    ]) {
      expect(PASSTHROUGH_VARIABLES).not.toContain(owned);
    }
  });
});

describe("function environment checked with the shared schema at synth time", () => {
  const base = {
    serviceName: "sms-otp-generate",
    // Real deploy-time tokens, as the stack passes them.
    tableName: Token.asString({ Ref: "OtpTable" }),
    tokenSecretArn: Token.asString({ Ref: "TokenSecret" }),
    allowedOrigins: [`https://${Token.asString({ "Fn::GetAtt": ["Distribution", "DomainName"] })}`],
    smsCaptureTopicArn: undefined,
  };

  it("accepts deploy-time tokens by judging placeholders of the right shape", () => {
    const environment = buildFunctionEnvironment({
      ...base,
      stage: "prod",
      passthrough: { OTP_LENGTH: "8" },
    });
    const config = validateFunctionEnvironment(environment);
    expect(config.stage).toBe("prod");
    expect(config.otp.length).toBe(8);
  });

  it("names the variable of a bad value", () => {
    const environment = buildFunctionEnvironment({
      ...base,
      stage: "prod",
      passthrough: { OTP_LENGTH: "3" },
    });
    expect(() => validateFunctionEnvironment(environment)).toThrow(
      /OTP_LENGTH: must be a whole number from 4 to 10/,
    );
  });

  it("refuses test numbers and a * origin in prod, and allows them locally", () => {
    const risky = { OTP_TEST_NUMBERS: "+15005550006=123456", ALLOWED_ORIGINS: "*" };
    const prod = buildFunctionEnvironment({
      ...base,
      stage: "prod",
      allowedOrigins: ["*"],
      passthrough: risky,
    });
    expect(() => validateFunctionEnvironment(prod)).toThrow(/OTP_TEST_NUMBERS: is refused when STAGE=prod/);
    expect(() => validateFunctionEnvironment(prod)).toThrow(/ALLOWED_ORIGINS: must not contain \*/);
    const local = buildFunctionEnvironment({
      ...base,
      stage: "local",
      allowedOrigins: ["*"],
      passthrough: risky,
    });
    expect(validateFunctionEnvironment(local).otp.testNumbers.get("+15005550006")).toBe("123456");
  });

  it("fails the synth of the whole app on a bad context value, naming it", () => {
    const outdir = mkdtempSync(join(tmpdir(), "sms-otp-infra-bad-"));
    try {
      expect(() =>
        buildApp({
          outdir,
          context: {
            ...cdkJsonContext(),
            stage: "local",
            OTP_SMS_SENDER_ID: "no spaces allowed",
            "aws:cdk:bundling-stacks": [],
          },
        }),
      ).toThrow(/OTP_SMS_SENDER_ID: must be 1-11 letters or digits/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("fails the prod synth with a clear message when the page is not built", () => {
    const outdir = mkdtempSync(join(tmpdir(), "sms-otp-infra-noweb-"));
    try {
      expect(() =>
        buildApp({
          outdir,
          context: {
            ...cdkJsonContext(),
            stage: "prod",
            webAssetDir: join(outdir, "missing"),
            "aws:cdk:bundling-stacks": [],
          },
        }),
      ).toThrow(/The page is not built: .*index\.html does not exist/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("builds the prod stage without the optional settings (no alarm topic, site origin only)", () => {
    const { template, cleanup } = synthStage("prod");
    try {
      template.resourceCountIs("AWS::SNS::Topic", 0);
      // 5xx, throttling, three functions, SMS failures, SMS spend, conversion, budgets, blocks.
      template.resourceCountIs("AWS::CloudWatch::Alarm", 10);
      template.hasResourceProperties("AWS::ApiGateway::Stage", {
        MethodSettings: [
          { HttpMethod: "*", ResourcePath: "/*", ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        ],
      });
      // The web ACL with its defaults: 20 requests to /generate per IP in 5 minutes, anonymous IPs blocked.
      template.hasResourceProperties("AWS::WAFv2::WebACL", {
        Rules: Match.arrayWith([
          Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 20 }) } }),
          Match.objectLike({
            OverrideAction: { None: {} },
            Statement: {
              ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesAnonymousIpList" },
            },
          }),
        ]),
      });
      // No custom domain: CloudFront's own name and certificate, and the page's origin for CORS is that name.
      template.hasResourceProperties("AWS::CloudFront::Distribution", {
        DistributionConfig: Match.objectLike({ Aliases: Match.absent(), ViewerCertificate: Match.absent() }),
      });
      template.hasOutput("SiteUrl", {
        Value: { "Fn::Join": ["", ["https://", { "Fn::GetAtt": [Match.anyValue(), "DomainName"] }, "/"]] },
      });
      template.resourceCountIs("AWS::SMSVOICE::ProtectConfiguration", 0);
      template.resourceCountIs("Custom::AWS", 0);
    } finally {
      cleanup();
    }
  });

  it("builds the prod stage without a web ACL when wafEnabled=false", () => {
    const { template, cleanup } = synthStage("prod", { context: { wafEnabled: "false" } });
    try {
      const types = Object.values(resourcesOf(template)).map((resource) => resource.Type);
      expect(types.filter((type) => type.startsWith("AWS::WAFv2::"))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
