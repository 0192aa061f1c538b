import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { loadConfig } from "../../src/config/config.ts";
import { CodeHasher } from "../../src/domain/code.ts";
import { createHandlers } from "../../src/runtime/index.ts";
import { silentLogger, testEnvironment } from "../support/handlers.ts";

const dynamoMock = mockClient(DynamoDBDocumentClient);
const snsMock = mockClient(SNSClient);
const secretsMock = mockClient(SecretsManagerClient);

afterEach(() => {
  dynamoMock.reset();
  snsMock.reset();
  secretsMock.reset();
});

function clients() {
  return {
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" })),
    sns: new SNSClient({ region: "us-east-1" }),
    secrets: new SecretsManagerClient({ region: "us-east-1" }),
  };
}

async function handlersWith(env: Record<string, string> = {}) {
  return createHandlers(loadConfig(testEnvironment(env)), { clients: clients(), logger: silentLogger });
}

const PHONE = "+14155550123";

describe("DynamoDB failures", () => {
  it("turns throttling into 503 service_unavailable with Retry-After, for both endpoints", async () => {
    dynamoMock
      .onAnyCommand()
      .rejects(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }));
    const handlers = await handlersWith();
    for (const result of [
      await handlers.generate(generateEvent(PHONE)),
      await handlers.validate(validateEvent(PHONE, "123456")),
    ]) {
      expect(result.statusCode).toBe(503);
      expect(result.headers?.["retry-after"]).toBe("2");
      expect(bodyOf(result).error?.code).toBe("service_unavailable");
      expect(result.body).not.toMatch(/slow down|Exception|at /);
    }
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("gives back every count it took when the phone write fails", async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    dynamoMock.on(UpdateCommand, { Key: { pk: `PHONE#${PHONE}` } }).rejects(new Error("socket hang up"));
    const handlers = await handlersWith();
    const result = await handlers.generate(generateEvent(PHONE));
    expect(result.statusCode).toBe(503);
    const writes = dynamoMock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    const keysWith = (pattern: RegExp) =>
      writes
        .filter((input) => pattern.test(input.UpdateExpression ?? ""))
        .map((input) => String(input.Key?.pk))
        .sort();
    const taken = keysWith(/^ADD (sends|#sends) :one/);
    // The source, the range, the country and the ceiling were counted, then each given back.
    expect(taken.map((key) => key.split("#")[0])).toEqual(["COUNTRY", "GLOBAL", "IP", "RANGE"]);
    expect(keysWith(/:minusOne/)).toEqual(taken);
  });
});

describe("SNS failures", () => {
  it("answers 502 sms_send_failed and rolls back the phone record and the IP slot", async () => {
    dynamoMock.on(UpdateCommand).resolves({ Attributes: undefined });
    dynamoMock.on(DeleteCommand).resolves({});
    snsMock
      .on(PublishCommand)
      .rejects(new Error("Invalid parameter: PhoneNumber Reason: +14155550123 is opted out"));
    const handlers = await handlersWith();
    const result = await handlers.generate(generateEvent(PHONE));
    expect(result.statusCode).toBe(502);
    expect(bodyOf(result).error).toEqual({
      code: "sms_send_failed",
      message: "The SMS could not be sent. Try again.",
    });
    // The phone had no record before: the new one is deleted, guarded by its code id.
    const deletes = dynamoMock.commandCalls(DeleteCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.args[0].input).toMatchObject({
      Key: { pk: `PHONE#${PHONE}` },
      ConditionExpression: "codeId = :codeId",
    });
    expect(dynamoMock.commandCalls(UpdateCommand).at(-1)?.args[0].input.UpdateExpression).toBe(
      "ADD sends :minusOne SET lastRefund = :refund",
    );
  });

  it("still answers 502 when the rollback itself hits a condition (a newer code won)", async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    dynamoMock
      .on(DeleteCommand)
      .rejects(new ConditionalCheckFailedException({ message: "newer code", $metadata: {} }));
    snsMock.on(PublishCommand).rejects(new Error("throttled"));
    const handlers = await handlersWith();
    expect((await handlers.generate(generateEvent(PHONE))).statusCode).toBe(502);
  });
});

describe("SMS publish input", () => {
  it("publishes a Transactional SMS to the phone in AWS, with the optional sender id", async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
    const handlers = await handlersWith({ OTP_SMS_SENDER_ID: "Acme", OTP_APP_NAME: "Acme" });
    expect((await handlers.generate(generateEvent(PHONE))).statusCode).toBe(202);
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toEqual({
      PhoneNumber: PHONE,
      Message: expect.stringMatching(/^\d{6} is your Acme verification code\. It expires in 5 minutes\.$/),
      MessageAttributes: {
        "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
        "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: "Acme" },
      },
    });
  });

  it("publishes to the capture topic with the phone as an attribute in local stacks", async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
    const topic = "arn:aws:sns:us-east-1:000000000000:sms-capture";
    const handlers = await handlersWith({ SMS_CAPTURE_TOPIC_ARN: topic });
    await handlers.generate(generateEvent(PHONE));
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).toMatchObject({
      TopicArn: topic,
      MessageAttributes: {
        phone: { DataType: "String", StringValue: PHONE },
        sms_type: { DataType: "String", StringValue: "Transactional" },
      },
    });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.PhoneNumber).toBeUndefined();
  });
});

describe("the service secret from Secrets Manager", () => {
  const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:otp-token-AbCdEf";
  const env = { OTP_TOKEN_SECRET: "", OTP_TOKEN_SECRET_ARN: arn };

  it("is read at cold start (validate also reads the previous version) and signs the tokens", async () => {
    const secret = "generated-by-secrets-manager-0123456789abcdef";
    secretsMock
      .on(GetSecretValueCommand, { SecretId: arn, VersionStage: "AWSCURRENT" })
      .resolves({ SecretString: secret });
    secretsMock
      .on(GetSecretValueCommand, { SecretId: arn, VersionStage: "AWSPREVIOUS" })
      .rejects(new ResourceNotFoundException({ message: "no AWSPREVIOUS version", $metadata: {} }));
    dynamoMock.on(UpdateCommand).resolves({});
    snsMock.on(PublishCommand).resolves({});
    const handlers = await handlersWith(env);
    // Two functions, two cold starts (in Lambda, two execution environments).
    const stages = () =>
      secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.VersionStage);
    expect(stages().sort()).toEqual(["AWSCURRENT", "AWSCURRENT", "AWSPREVIOUS"]);
    await handlers.generate(generateEvent(PHONE));
    const code = (snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "").slice(0, 6);
    dynamoMock.on(UpdateCommand).resolves({
      Attributes: { codeHash: new CodeHasher(secret).hash(PHONE, code), codeId: "c-1", attempts: 1 },
    });
    const approved = await handlers.validate(validateEvent(PHONE, code));
    expect(approved.statusCode).toBe(200);
    const token = String(bodyOf(approved).token);
    await expect(jwtVerify(token, new TextEncoder().encode(secret))).resolves.toBeTruthy();
    expect(stages()).toHaveLength(3);
  });

  it("fails the cold start when the secret cannot be read", async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new Error("AccessDenied"));
    await expect(handlersWith(env)).rejects.toMatchObject({ code: "service_unavailable" });
  });
});
