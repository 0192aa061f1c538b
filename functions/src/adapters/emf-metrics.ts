import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS } from "../commons/metric-names.ts";
import type { OtpMetrics, SendRefusal, TrafficScope } from "../domain/ports.ts";

/**
 * The domain's counts as CloudWatch metrics in the Embedded Metric Format: JSON lines in the
 * function's log that CloudWatch turns into metrics, so counting costs no API call. Powertools
 * buffers them; `flush()` writes them at the end of each request.
 */
export class EmfMetrics implements OtpMetrics {
  readonly #metrics: Metrics;

  constructor(metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE })) {
    this.#metrics = metrics;
  }

  codeSent(country: string): void {
    this.#countTotalAndByCountry(METRICS.codeSent, country);
  }

  codeVerified(country: string): void {
    this.#countTotalAndByCountry(METRICS.codeVerified, country);
  }

  sendRefused(reason: SendRefusal | "challenge_failed"): void {
    const metric = this.#metrics.singleMetric();
    metric.addDimension("reason", reason);
    metric.addMetric(METRICS.sendRefused, MetricUnit.Count, 1);
  }

  scopeBlocked(kind: TrafficScope["kind"]): void {
    const metric = this.#metrics.singleMetric();
    metric.addDimension("scope", kind);
    metric.addMetric(METRICS.scopeBlocked, MetricUnit.Count, 1);
  }

  /** Writes what the request counted (nothing when it counted nothing). */
  flush(): void {
    if (this.#metrics.hasStoredMetrics()) this.#metrics.publishStoredMetrics();
  }

  #countTotalAndByCountry(name: string, country: string): void {
    this.#metrics.addMetric(name, MetricUnit.Count, 1);
    const byCountry = this.#metrics.singleMetric();
    byCountry.addDimension("country", country);
    byCountry.addMetric(name, MetricUnit.Count, 1);
  }
}
