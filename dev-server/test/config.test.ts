import { describe, expect, it } from "vitest";
import { API_THROTTLE } from "#api-contract";
import { ConfigError, loadConfig } from "#functions/config";
import { ownOrigins } from "../src/addresses.ts";
import { functionEnvironment, loadDevServerConfig } from "../src/config.ts";

const LOCAL = {
  tableName: "sms-otp-local",
  smsCaptureTopicArn: "arn:aws:sns:us-east-1:000000000000:sms-otp-capture",
  awsEndpoint: "http://127.0.0.1:4566",
  ownOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDevServerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("the dev server's configuration", () => {
  it("has the documented defaults, and the CDK stack's throttle", () => {
    const config = loadDevServerConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: "localhost",
      localAwsPort: 4566,
      externalAwsEndpoint: undefined,
      region: "us-east-1",
      throttle: { rateLimit: API_THROTTLE.rateLimit.default, burstLimit: API_THROTTLE.burstLimit.default },
      allowedOriginsGiven: false,
    });
    expect(config.throttle).toEqual({ rateLimit: 50, burstLimit: 100 });
  });

  it("reads its own variables", () => {
    const config = loadDevServerConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      LOCAL_AWS_PORT: "0",
      AWS_ENDPOINT_URL: "http://localhost:4566",
      API_THROTTLE_RATE_LIMIT: "2.5",
      API_THROTTLE_BURST_LIMIT: "5",
      AWS_REGION: "eu-west-2",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      localAwsPort: 0,
      externalAwsEndpoint: "http://localhost:4566",
      region: "eu-west-2",
      throttle: { rateLimit: 2.5, burstLimit: 5 },
    });
  });

  it("names every bad variable at once, its own and the functions' (one schema, no rule copied)", () => {
    const problems = problemsOf({
      PORT: "80a",
      LOCAL_AWS_PORT: "70000",
      API_THROTTLE_BURST_LIMIT: "1.5",
      OTP_LENGTH: "3",
      ALLOWED_ORIGINS: "not-an-origin",
      AWS_ENDPOINT_URL: "ftp://nope",
    });
    expect(problems.join("\n")).toMatch(/^PORT: /m);
    expect(problems.join("\n")).toMatch(/^LOCAL_AWS_PORT: /m);
    expect(problems.join("\n")).toMatch(/^API_THROTTLE_BURST_LIMIT: /m);
    expect(problems.join("\n")).toMatch(/^OTP_LENGTH: /m);
    expect(problems.join("\n")).toMatch(/^ALLOWED_ORIGINS: /m);
    expect(problems.join("\n")).toMatch(/^AWS_ENDPOINT_URL: /m);
  });

  it("makes a random token secret per boot unless one is given", () => {
    const first = loadDevServerConfig({}).functionVariables.OTP_TOKEN_SECRET;
    const second = loadDevServerConfig({}).functionVariables.OTP_TOKEN_SECRET;
    expect(first).toBeTypeOf("string");
    expect((first ?? "").length).toBeGreaterThanOrEqual(32);
    expect(first).not.toBe(second);
    const given = "s".repeat(40);
    expect(loadDevServerConfig({ OTP_TOKEN_SECRET: given }).functionVariables.OTP_TOKEN_SECRET).toBe(given);
    // A Secrets Manager ARN (LocalStack) is honoured: no secret is invented next to it.
    const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:otp";
    const withArn = loadDevServerConfig({ OTP_TOKEN_SECRET_ARN: arn }).functionVariables;
    expect(withArn.OTP_TOKEN_SECRET).toBeUndefined();
    expect(withArn.OTP_TOKEN_SECRET_ARN).toBe(arn);
  });
});

describe("the functions' environment", () => {
  it("is the local stage with the provisioned resources, and the server's own origins by default", () => {
    const env = functionEnvironment(
      loadDevServerConfig({ OTP_APP_NAME: "Acme", OTP_LENGTH: "8", PORT: "3000" }),
      LOCAL,
    );
    expect(env).toMatchObject({
      STAGE: "local",
      TABLE_NAME: "sms-otp-local",
      SMS_CAPTURE_TOPIC_ARN: LOCAL.smsCaptureTopicArn,
      AWS_ENDPOINT_URL: LOCAL.awsEndpoint,
      AWS_REGION: "us-east-1",
      ALLOWED_ORIGINS: "http://localhost:3000,http://127.0.0.1:3000",
      OTP_APP_NAME: "Acme",
      OTP_LENGTH: "8",
    });
    expect(env.PORT).toBeUndefined();
    // It passes the functions' own schema.
    expect(loadConfig(env).sms.captureTopicArn).toBe(LOCAL.smsCaptureTopicArn);
  });

  it("keeps a given allow list (never * unless the user wrote it) and ignores what the server owns", () => {
    const env = functionEnvironment(
      loadDevServerConfig({
        ALLOWED_ORIGINS: "https://app.example.com",
        STAGE: "prod",
        TABLE_NAME: "someone-elses-table",
        SMS_CAPTURE_TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:other",
      }),
      LOCAL,
    );
    expect(env.ALLOWED_ORIGINS).toBe("https://app.example.com");
    expect(env.STAGE).toBe("local");
    expect(env.TABLE_NAME).toBe("sms-otp-local");
    expect(env.SMS_CAPTURE_TOPIC_ARN).toBe(LOCAL.smsCaptureTopicArn);
    expect(functionEnvironment(loadDevServerConfig({ ALLOWED_ORIGINS: "*" }), LOCAL).ALLOWED_ORIGINS).toBe(
      "*",
    );
    expect(functionEnvironment(loadDevServerConfig({}), LOCAL).ALLOWED_ORIGINS).not.toContain("*");
  });

  it("lists both loopback spellings for a loopback server", () => {
    expect(ownOrigins("localhost", 3000)).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    expect(ownOrigins("0.0.0.0", 8080)).toEqual(["http://localhost:8080", "http://127.0.0.1:8080"]);
    expect(ownOrigins("dev.example.test", 3000)).toEqual(["http://dev.example.test:3000"]);
  });
});
