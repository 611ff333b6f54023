/**
 * A Prometheus histogram whose buckets PostgreSQL counts at scrape time, for durations that live
 * in a table (sync runs): one aggregate query per scrape instead of an observation per row, and
 * the same fleet-wide, restart-proof values on every instance (like the other database gauges).
 * prom-client has no histogram that can be set from counts, so this object speaks the registry's
 * metric interface itself (name, help, type, get); the text format is prom-client's.
 */
import type { Metric, Registry } from 'prom-client';

export interface HistogramRow {
  labels: Record<string, string>;
  /** Cumulative counts, one per bucket bound, in the order of `buckets`. */
  cumulative: number[];
  count: number;
  sum: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export class DatabaseHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    private readonly read: (buckets: readonly number[]) => Promise<HistogramRow[]>,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const row of await this.read(this.buckets)) {
      this.buckets.forEach((le, i) => values.push({ labels: { ...row.labels, le }, value: row.cumulative[i], metricName: `${this.name}_bucket` }));
      values.push({ labels: { ...row.labels, le: '+Inf' }, value: row.count, metricName: `${this.name}_bucket` });
      values.push({ labels: row.labels, value: row.sum, metricName: `${this.name}_sum` });
      values.push({ labels: row.labels, value: row.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing is held in memory (the registry calls this on resetMetrics). */
  reset(): void {}
}
