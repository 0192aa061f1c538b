import { describe, expect, it } from "vitest";
import { jsonErrorToQueryXml, jsonResultToQueryXml, queryRequestToJson } from "../src/emulator/sqs-query.ts";

describe("queryRequestToJson", () => {
  it("turns flattened lists, maps and numbers into the JSON protocol's members", () => {
    const { action, input } = queryRequestToJson(
      new URLSearchParams({
        Action: "SendMessage",
        Version: "2012-11-05",
        QueueUrl: "http://127.0.0.1:4566/000000000000/q",
        MessageBody: "hello",
        DelaySeconds: "0",
        "MessageAttribute.1.Name": "phone",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "+14155550123",
        "MessageAttribute.2.Name": "sms_type",
        "MessageAttribute.2.Value.DataType": "String",
        "MessageAttribute.2.Value.StringValue": "Transactional",
      }),
    );
    expect(action).toBe("SendMessage");
    expect(input).toEqual({
      QueueUrl: "http://127.0.0.1:4566/000000000000/q",
      MessageBody: "hello",
      DelaySeconds: 0,
      MessageAttributes: {
        phone: { DataType: "String", StringValue: "+14155550123" },
        sms_type: { DataType: "String", StringValue: "Transactional" },
      },
    });
  });

  it("keeps list order by index, not by position in the form", () => {
    const { input } = queryRequestToJson(
      new URLSearchParams([
        ["Action", "ReceiveMessage"],
        ["AttributeName.2", "SentTimestamp"],
        ["AttributeName.1", "SenderId"],
        ["MaxNumberOfMessages", "10"],
        ["WaitTimeSeconds", "1"],
      ]),
    );
    expect(input).toEqual({
      AttributeNames: ["SenderId", "SentTimestamp"],
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
    });
  });

  it("maps queue attributes, CreateQueue's lower-case tags and batch entries", () => {
    expect(
      queryRequestToJson(
        new URLSearchParams({
          Action: "CreateQueue",
          QueueName: "q",
          "Attribute.1.Name": "VisibilityTimeout",
          "Attribute.1.Value": "5",
          "Tag.1.Key": "team",
          "Tag.1.Value": "otp",
        }),
      ).input,
    ).toEqual({ QueueName: "q", Attributes: { VisibilityTimeout: "5" }, tags: { team: "otp" } });

    expect(
      queryRequestToJson(
        new URLSearchParams({
          Action: "DeleteMessageBatch",
          QueueUrl: "u",
          "DeleteMessageBatchRequestEntry.1.Id": "a",
          "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "r1",
          "DeleteMessageBatchRequestEntry.2.Id": "b",
          "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "r2",
        }),
      ).input,
    ).toEqual({
      QueueUrl: "u",
      Entries: [
        { Id: "a", ReceiptHandle: "r1" },
        { Id: "b", ReceiptHandle: "r2" },
      ],
    });
  });
});

describe("query XML responses", () => {
  it("flattens lists and maps with the element names botocore expects", () => {
    const xml = jsonResultToQueryXml(
      "ReceiveMessage",
      {
        Messages: [
          {
            MessageId: "m1",
            Body: '1 < 2 & "3"',
            Attributes: { SentTimestamp: "1700000000000" },
            MessageAttributes: { phone: { DataType: "String", StringValue: "+1" } },
          },
        ],
      },
      "req-1",
    );
    expect(xml).toContain('<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">');
    expect(xml).toContain(
      "<ReceiveMessageResult><Message><MessageId>m1</MessageId><Body>1 &lt; 2 &amp; &quot;3&quot;</Body>" +
        "<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>" +
        "<MessageAttribute><Name>phone</Name><Value><DataType>String</DataType><StringValue>+1</StringValue></Value></MessageAttribute>" +
        "</Message></ReceiveMessageResult>",
    );
    expect(xml).toContain("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>");
  });

  it("names batch result entries after the action", () => {
    const xml = jsonResultToQueryXml(
      "DeleteMessageBatch",
      { Successful: [{ Id: "a" }], Failed: [{ Id: "b", SenderFault: true, Code: "ReceiptHandleIsInvalid" }] },
      "r",
    );
    expect(xml).toContain("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>");
    expect(xml).toContain(
      "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code></BatchResultErrorEntry>",
    );
  });

  it("takes the query error code from x-amzn-query-error, else from __type", () => {
    const fromHeader = jsonErrorToQueryXml(
      { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." },
      "AWS.SimpleQueueService.NonExistentQueue;Sender",
      "r",
    );
    expect(fromHeader).toContain(
      "<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message><Detail/></Error>",
    );
    const fromType = jsonErrorToQueryXml(
      { __type: "com.amazonaws.sqs#InvalidParameterValue", message: "x" },
      undefined,
      "r",
    );
    expect(fromType).toContain("<Code>InvalidParameterValue</Code>");
  });
});
