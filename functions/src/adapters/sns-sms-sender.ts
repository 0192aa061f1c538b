import { type MessageAttributeValue, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { SmsSendError } from "../domain/errors.ts";
import type { SmsMessage, SmsSender } from "../domain/ports.ts";

export interface SnsSmsOptions {
  /** Local stacks: publish to this topic (captured by the SQS outbox) instead of to the phone. */
  readonly captureTopicArn: string | undefined;
  readonly senderId: string | undefined;
  readonly originationNumber: string | undefined;
}

/**
 * Sends SMS with SNS `Publish`. In AWS it publishes to the phone number as a Transactional SMS;
 * in local stacks the same call goes to a capture topic with the phone as a message attribute,
 * so tests and the dev inbox read exactly what a phone would have received.
 */
export class SnsSmsSender implements SmsSender {
  readonly #sns: SNSClient;
  readonly #options: SnsSmsOptions;

  constructor(sns: SNSClient, options: SnsSmsOptions) {
    this.#sns = sns;
    this.#options = options;
  }

  async send(message: SmsMessage): Promise<void> {
    try {
      await this.#sns.send(new PublishCommand(this.#publishInput(message)));
    } catch (error) {
      throw new SmsSendError({ cause: error });
    }
  }

  #publishInput(message: SmsMessage) {
    const { captureTopicArn, senderId, originationNumber } = this.#options;
    if (captureTopicArn) {
      return {
        TopicArn: captureTopicArn,
        Message: message.text,
        MessageAttributes: {
          phone: text(message.phone),
          sms_type: text("Transactional"),
          ...(senderId ? { sender_id: text(senderId) } : {}),
        },
      };
    }
    return {
      PhoneNumber: message.phone,
      Message: message.text,
      MessageAttributes: {
        // Promotional SMS may be delayed or dropped; OTPs must be Transactional.
        "AWS.SNS.SMS.SMSType": text("Transactional"),
        ...(senderId ? { "AWS.SNS.SMS.SenderID": text(senderId) } : {}),
        ...(originationNumber ? { "AWS.MM.SMS.OriginationNumber": text(originationNumber) } : {}),
      },
    };
  }
}

function text(value: string): MessageAttributeValue {
  return { DataType: "String", StringValue: value };
}
