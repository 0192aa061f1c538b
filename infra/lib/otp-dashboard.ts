import { Duration } from "aws-cdk-lib";
import { Dashboard, GraphWidget, SingleValueWidget, TextWidget } from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import { OtpMetrics } from "./otp-metrics.ts";

/**
 * One page to watch SMS pumping from: sends and verifications, their conversion, refusals by
 * reason, blocks, sends by country and what the SMS cost this month.
 */
export class OtpDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    const metrics = new OtpMetrics(Duration.minutes(5));
    const hourly = new OtpMetrics(Duration.hours(1));
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: props.name,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          "# SMS OTP\nSends, verifications and refusals from the functions' metrics. A conversion that collapses while sends rise is SMS pumping: see *Stopping SMS pumping* in the README.",
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Codes sent and verified",
        left: [metrics.sent(), metrics.verified()],
        width: 12,
      }),
      new GraphWidget({
        title: "Conversion (verified per sent, hourly)",
        left: [hourly.conversionPercent(1)],
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Sends refused, by reason",
        left: metrics.allRefusals(),
        stacked: true,
        width: 12,
      }),
      new GraphWidget({ title: "Ranges and countries blocked", left: metrics.blocks(), width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: "Codes sent, by country", left: [metrics.sentByCountry()], width: 16 }),
      new SingleValueWidget({ title: "SMS spend this month", metrics: [metrics.smsSpend()], width: 8 }),
    );
  }
}
