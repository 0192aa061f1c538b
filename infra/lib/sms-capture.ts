import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Topic } from "aws-cdk-lib/aws-sns";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/**
 * Local stage only: where SMS go instead of to phones. The functions publish the SMS text to the
 * topic (phone as a message attribute); the "sms outbox" queue subscribes with raw delivery, so
 * each message body is exactly the SMS text. Tests and the dev inbox read the queue.
 */
export class SmsCapture extends Construct {
  readonly topic: Topic;
  readonly outbox: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", { displayName: "Captured SMS (local stage)" });
    this.outbox = new Queue(this, "Outbox", {
      retentionPeriod: Duration.days(1),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic.addSubscription(new SqsSubscription(this.outbox, { rawMessageDelivery: true }));
  }
}
