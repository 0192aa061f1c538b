import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedAws, startEmbeddedAws } from "../src/emulator/embedded-aws.ts";
import {
  EMULATOR_CREDENTIALS,
  type LocalResources,
  provisionLocalResources,
} from "../src/resources/provision.ts";
import { parseOutboxMessage, SmsOutbox } from "../src/resources/sms-outbox.ts";

describe("parseOutboxMessage", () => {
  it("reads a raw-delivery message: body, phone attribute, SentTimestamp", () => {
    expect(
      parseOutboxMessage({
        Body: "123456 is your code",
        MessageAttributes: { phone: { DataType: "String", StringValue: "+14155550123" } },
        Attributes: { SentTimestamp: "1700000000123" },
      }),
    ).toEqual({
      phone: "+14155550123",
      message: "123456 is your code",
      timestamp: "2023-11-14T22:13:20.123Z",
    });
  });

  it("unwraps an SNS envelope when the subscription is not raw", () => {
    const envelope = JSON.stringify({
      Type: "Notification",
      Message: "654321 is your code",
      MessageAttributes: { phone: { Type: "String", Value: "+447700900123" } },
    });
    expect(
      parseOutboxMessage({ Body: envelope, Attributes: { SentTimestamp: "1700000000000" } }),
    ).toMatchObject({
      phone: "+447700900123",
      message: "654321 is your code",
    });
  });

  it("keeps a message without a phone, and an SMS text that merely looks like JSON", () => {
    expect(parseOutboxMessage({ Body: "{not json", Attributes: { SentTimestamp: "1" } })).toMatchObject({
      phone: "",
      message: "{not json",
    });
  });
});

describe("SmsOutbox on a live stack", () => {
  let aws: EmbeddedAws;
  let sns: SNSClient;
  let resources: LocalResources;
  let outbox: SmsOutbox;

  beforeAll(async () => {
    aws = await startEmbeddedAws({ port: 0 });
    resources = await provisionLocalResources({ endpoint: aws.endpoint });
    sns = new SNSClient({ endpoint: aws.endpoint, region: "us-east-1", credentials: EMULATOR_CREDENTIALS });
    outbox = new SmsOutbox({ endpoint: aws.endpoint, queueUrl: resources.queueUrl });
  });

  afterAll(async () => {
    outbox?.close();
    sns?.destroy();
    await aws?.stop();
  });

  const publish = (phone: string, message: string) =>
    sns.send(
      new PublishCommand({
        TopicArn: resources.topicArn,
        Message: message,
        MessageAttributes: { phone: { DataType: "String", StringValue: phone } },
      }),
    );

  it("holds what it read while waiting for something else, and drain hands it out oldest first", async () => {
    await publish("+15550000001", "first");
    await publish("+15550000002", "second");
    await publish("+15550000003", "third");

    const third = await outbox.waitFor((sms) => sms.phone === "+15550000003", { timeoutMs: 5000 });
    expect(third.message).toBe("third");

    const rest = await outbox.drain();
    expect(rest.map((sms) => sms.message)).toEqual(["first", "second"]);
    expect(await outbox.drain()).toEqual([]);
  });

  it("finds a message published after it started waiting", async () => {
    const waiting = outbox.waitFor((sms) => sms.message === "late", { timeoutMs: 5000 });
    await publish("+15550000004", "late");
    expect((await waiting).phone).toBe("+15550000004");
  });

  it("times out with what it saw instead, and loses none of it", async () => {
    await publish("+15550000005", "unrelated");
    await expect(outbox.waitFor((sms) => sms.phone === "+10000000000", { timeoutMs: 300 })).rejects.toThrow(
      /No matching SMS .* within 300 ms; held instead: \+15550000005: "unrelated"/,
    );
    expect((await outbox.drain()).map((sms) => sms.message)).toEqual(["unrelated"]);
  });
});
