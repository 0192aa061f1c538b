import { Duration, Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { FilterPattern, type ILogGroup, MetricFilter } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { OtpMetrics } from "./otp-metrics.ts";

export interface OtpAlarmsProps {
  readonly restApi: RestApi;
  /** The API's JSON access log group: stage throttling is counted from it. */
  readonly accessLogGroup: ILogGroup;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly alarmEmail: string | undefined;
  readonly smsSpendAlarmUsd: number;
}

const PERIOD = Duration.minutes(5);

/** Sends in an hour below which the conversion alarm does not judge (a quiet hour is not an attack). */
const CONVERSION_MIN_SENDS = 20;
/** Verified codes per 100 sent below which the conversion alarm fires. */
const CONVERSION_ALARM_PERCENT = 20;

/**
 * Prod alarms: server errors, stage throttling, function errors, SMS delivery failures, SMS
 * spend, and SMS pumping (conversion collapse, budget refusals, blocks). With `alarmEmail` they
 * notify an SNS topic with that address subscribed.
 */
export class OtpAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic: Topic | undefined;

  constructor(scope: Construct, id: string, props: OtpAlarmsProps) {
    super(scope, id);
    this.topic = props.alarmEmail
      ? new Topic(this, "Topic", { displayName: "SMS OTP alarms", enforceSSL: true })
      : undefined;
    if (this.topic && props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.add("Api5xx", props.restApi.metricServerError({ period: PERIOD, statistic: Stats.SUM }), {
      threshold: 3,
      description: "The API answered 5xx (function errors, timeouts, 502 sms_send_failed, 503).",
    });

    // API Gateway publishes no metric for stage throttling: 429s are only part of 4XXError,
    // together with the handler's own 429s (rate_limited, too_many_attempts). The access log
    // names the gateway response that answered, so a metric filter counts THROTTLED exactly.
    const throttled = new MetricFilter(this, "ThrottledFilter", {
      logGroup: props.accessLogGroup,
      filterPattern: FilterPattern.stringValue("$.responseType", "=", "THROTTLED"),
      metricNamespace: `SmsOtp/${Stack.of(this).stackName}`,
      metricName: "ApiThrottledRequests",
      metricValue: "1",
    });
    this.add("ApiThrottled", throttled.metric({ period: PERIOD, statistic: Stats.SUM }), {
      threshold: 10,
      description: "API Gateway refused requests over the stage throttle (429 THROTTLED).",
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }), {
        threshold: 1,
        description: `The ${name} function failed (an unhandled error or a timeout).`,
      });
    }

    // SMS published straight to phone numbers are reported under PhoneNumber=PhoneNumberDirect.
    this.add(
      "SmsDeliveryFailures",
      new Metric({
        namespace: "AWS/SNS",
        metricName: "NumberOfNotificationsFailed",
        dimensionsMap: { PhoneNumber: "PhoneNumberDirect" },
        period: PERIOD,
        statistic: Stats.SUM,
      }),
      {
        threshold: 5,
        description: "SNS could not deliver SMS (carrier refusals, opted-out or unreachable phones).",
      },
    );
    this.add(
      "SmsSpend",
      new Metric({
        namespace: "AWS/SNS",
        metricName: "SMSMonthToDateSpentUSD",
        period: PERIOD,
        statistic: Stats.MAXIMUM,
      }),
      {
        threshold: props.smsSpendAlarmUsd,
        description: `SMS spend this month reached ${props.smsSpendAlarmUsd} USD (check for SMS pumping).`,
      },
    );

    // SMS pumping, from the functions' own metrics.
    const hourly = new OtpMetrics(Duration.hours(1));
    this.add("ConversionCollapse", hourly.conversionPercent(CONVERSION_MIN_SENDS), {
      threshold: CONVERSION_ALARM_PERCENT,
      below: true,
      description: `Fewer than ${CONVERSION_ALARM_PERCENT}% of the codes sent in an hour (${CONVERSION_MIN_SENDS} or more) were verified: SMS pumping, or the page is broken.`,
    });
    const metrics = new OtpMetrics(PERIOD);
    this.add("BudgetRefusals", metrics.budgetRefusals(), {
      threshold: 1,
      description: "A country's or the service's hourly SMS budget was spent and sends were refused.",
    });
    this.add("FraudBlocks", metrics.allBlocks(), {
      threshold: 1,
      description: "The conversion rule blocked a number range or a country (suspected SMS pumping).",
    });
  }

  private add(
    id: string,
    metric: IMetric,
    options: { threshold: number; description: string; below?: boolean },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.below
        ? ComparisonOperator.LESS_THAN_THRESHOLD
        : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
