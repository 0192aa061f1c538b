import type { Duration } from "aws-cdk-lib";
import { type IMetric, MathExpression, Metric, Stats } from "aws-cdk-lib/aws-cloudwatch";
import {
  BLOCKED_SCOPES,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  METRICS,
  REFUSAL_REASONS,
} from "#functions/metrics";

/**
 * The functions' own metrics (EMF lines their logs carry: no API calls), as CloudWatch metric
 * objects for the dashboard and the alarms. Names come from the functions' module, so the two
 * cannot drift.
 */
export class OtpMetrics {
  readonly period: Duration;

  constructor(period: Duration) {
    this.period = period;
  }

  #metric(metricName: string, dimensions: Record<string, string> = {}, label?: string): Metric {
    return new Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { service: METRIC_SERVICE, ...dimensions },
      statistic: Stats.SUM,
      period: this.period,
      ...(label ? { label } : {}),
    });
  }

  sent(): Metric {
    return this.#metric(METRICS.codeSent, {}, "codes sent");
  }

  verified(): Metric {
    return this.#metric(METRICS.codeVerified, {}, "codes verified");
  }

  /** Verified codes per code sent, in percent; 100 while too few were sent to judge. */
  conversionPercent(minSends: number): MathExpression {
    return new MathExpression({
      expression: `IF(sent >= ${minSends}, 100 * verified / sent, 100)`,
      usingMetrics: { sent: this.sent(), verified: this.verified() },
      label: "conversion %",
      period: this.period,
    });
  }

  refusals(reason: (typeof REFUSAL_REASONS)[number]): Metric {
    return this.#metric(METRICS.sendRefused, { reason }, reason);
  }

  allRefusals(): Metric[] {
    return REFUSAL_REASONS.map((reason) => this.refusals(reason));
  }

  /** Sends refused because a country's or the service's hourly budget was spent. */
  budgetRefusals(): IMetric {
    return new MathExpression({
      expression: "country + total",
      usingMetrics: {
        country: this.refusals("country_hourly_limit"),
        total: this.refusals("global_hourly_limit"),
      },
      label: "budget refusals",
      period: this.period,
    });
  }

  blocks(): Metric[] {
    return BLOCKED_SCOPES.map((scope) => this.#metric(METRICS.scopeBlocked, { scope }, `${scope} blocked`));
  }

  /** Ranges and countries blocked by the conversion rule. */
  allBlocks(): IMetric {
    const [range, country] = this.blocks();
    return new MathExpression({
      expression: "range + country",
      usingMetrics: { range: range as Metric, country: country as Metric },
      label: "blocks",
      period: this.period,
    });
  }

  /** Codes sent per country (the bounded `country` dimension), however many countries appear. */
  sentByCountry(): MathExpression {
    return new MathExpression({
      expression: `SEARCH('{${METRIC_NAMESPACE},service,country} MetricName="${METRICS.codeSent}"', 'Sum', ${this.period.toSeconds()})`,
      label: "",
      period: this.period,
    });
  }

  /** What SNS has billed for SMS this month (AWS/SNS, account-wide). */
  smsSpend(): Metric {
    return new Metric({
      namespace: "AWS/SNS",
      metricName: "SMSMonthToDateSpentUSD",
      statistic: Stats.MAXIMUM,
      period: this.period,
      label: "SMS spend this month (USD)",
    });
  }
}
