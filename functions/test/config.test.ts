import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_SMS_TEMPLATE, loadConfig } from "../src/config/config.ts";

const base = { TABLE_NAME: "otp-table", OTP_TOKEN_SECRET: "s".repeat(32) };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the defaults the README documents", () => {
    const config = loadConfig(base);
    expect(config.otp).toEqual({
      length: 6,
      ttlSeconds: 300,
      maxAttempts: 5,
      resendCooldownSeconds: 30,
      maxSendsPerHour: 5,
      maxSendsPerIpPerHour: 20,
      maxSendsPerCountryPerHour: { byCountry: new Map(), otherwise: 100 },
      maxSendsPerHourTotal: 500,
      fraud: {
        prefixDigits: 6,
        prefix: { minSends: 20, minConversion: 0.2 },
        country: { minSends: 50, minConversion: 0.1 },
        blockSeconds: 3600,
        exemptPrefixes: [],
      },
      allowedCountries: [],
      testNumbers: new Map(),
    });
    expect(config.challenge).toEqual({ turnstileSiteKey: undefined, turnstileSecretKey: undefined });
    expect(config.sms).toMatchObject({
      appName: "Demo",
      template: DEFAULT_SMS_TEMPLATE,
      webOtpDomain: undefined,
    });
    expect(config.token.ttlSeconds).toBe(600);
    expect(config.stage).toBe("dev");
    expect(config.aws).toEqual({ tableName: "otp-table", region: "us-east-1", endpointUrl: undefined });
  });

  it("parses the SMS-pumping settings", () => {
    const config = loadConfig({
      ...base,
      OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "US=5000, GB=500,*=200",
      OTP_MAX_SENDS_PER_HOUR_TOTAL: "9000",
      OTP_FRAUD_PREFIX_DIGITS: "5",
      OTP_FRAUD_MIN_CONVERSION: "0.35",
      OTP_FRAUD_EXEMPT_PREFIXES: "+4474001, +1415555",
    });
    expect(config.otp.maxSendsPerCountryPerHour).toEqual({
      byCountry: new Map([
        ["US", 5000],
        ["GB", 500],
      ]),
      otherwise: 200,
    });
    expect(config.otp.maxSendsPerHourTotal).toBe(9000);
    expect(config.otp.fraud).toMatchObject({
      prefixDigits: 5,
      prefix: { minSends: 20, minConversion: 0.35 },
      exemptPrefixes: ["+4474001", "+1415555"],
    });
    expect(
      loadConfig({ ...base, OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "250" }).otp.maxSendsPerCountryPerHour,
    ).toEqual({ byCountry: new Map(), otherwise: 250 });
  });

  it("parses lists and test numbers", () => {
    const config = loadConfig({
      ...base,
      OTP_ALLOWED_COUNTRIES: "us, ca,GB",
      OTP_TEST_NUMBERS: "+15005550006=123456, +15005550007=000001",
      ALLOWED_ORIGINS: "https://app.example.com,http://localhost:3000",
      OTP_WEBOTP_DOMAIN: "app.example.com",
    });
    expect(config.otp.allowedCountries).toEqual(["US", "CA", "GB"]);
    expect([...config.otp.testNumbers]).toEqual([
      ["+15005550006", "123456"],
      ["+15005550007", "000001"],
    ]);
    expect(config.http.allowedOrigins).toEqual(["https://app.example.com", "http://localhost:3000"]);
    expect(config.sms.webOtpDomain).toBe("app.example.com");
  });

  it.each([
    ["OTP_LENGTH", "3"],
    ["OTP_LENGTH", "11"],
    ["OTP_LENGTH", "six"],
    ["OTP_TTL_SECONDS", "29"],
    ["OTP_TTL_SECONDS", "601"],
    ["OTP_MAX_ATTEMPTS", "0"],
    ["OTP_ALLOWED_COUNTRIES", "USA"],
    ["OTP_ALLOWED_COUNTRIES", "XX"],
    ["OTP_SMS_TEMPLATE", "Your code is ready"],
    ["OTP_SMS_TEMPLATE", "{code} for {user}"],
    ["OTP_WEBOTP_DOMAIN", "https://app.example.com"],
    ["OTP_TEST_NUMBERS", "15005550006:123456"],
    ["ALLOWED_ORIGINS", "app.example.com"],
    ["AWS_ENDPOINT_URL", "localhost:4566"],
    ["OTP_TOKEN_SECRET", "too-short"],
    ["STAGE", "staging"],
    ["OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR", "UK=100"],
    ["OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR", "US:100"],
    ["OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR", "US=many"],
    ["OTP_MAX_SENDS_PER_HOUR_TOTAL", "0"],
    ["OTP_FRAUD_MIN_CONVERSION", "1.5"],
    ["OTP_FRAUD_MIN_CONVERSION", "20%"],
    ["OTP_FRAUD_PREFIX_DIGITS", "0"],
    ["OTP_FRAUD_BLOCK_SECONDS", "10"],
    ["OTP_FRAUD_EXEMPT_PREFIXES", "4474001"],
  ])("names %s when it is %j", (variable, value) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it("reports every bad variable at once, and never echoes a secret", () => {
    const problems = problemsOf({ OTP_LENGTH: "2", OTP_TTL_SECONDS: "9999", OTP_TOKEN_SECRET: "hunter2" });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual([
      "OTP_LENGTH",
      "OTP_TTL_SECONDS",
      "OTP_TOKEN_SECRET",
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("requires the table name and a secret source", () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME: .*\n.*OTP_TOKEN_SECRET: set OTP_TOKEN_SECRET/s);
    expect(
      loadConfig({ TABLE_NAME: "otp-table", OTP_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:x" }).token,
    ).toMatchObject({
      secret: undefined,
      secretArn: "arn:aws:secretsmanager:x",
    });
  });

  it("requires test-number codes to have OTP_LENGTH digits", () => {
    expect(problemsOf({ OTP_TEST_NUMBERS: "+15005550006=1234" })).toEqual([
      expect.stringMatching(
        /^OTP_TEST_NUMBERS: the code for \+15005550006 must have OTP_LENGTH \(6\) digits/,
      ),
    ]);
  });

  it("refuses test numbers, wildcard origins and SMS capture in prod", () => {
    const problems = problemsOf({
      STAGE: "prod",
      OTP_TEST_NUMBERS: "+15005550006=123456",
      ALLOWED_ORIGINS: "*",
      SMS_CAPTURE_TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:capture",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^OTP_TEST_NUMBERS: is refused when STAGE=prod/),
      expect.stringMatching(/^ALLOWED_ORIGINS: must not contain \*/),
      expect.stringMatching(/^SMS_CAPTURE_TOPIC_ARN: is for local stacks only/),
    ]);
  });
});
