import type { Metric } from 'prom-client';

/** One sample as a prom-client registry reads it. */
interface Sample {
  metricName: string;
  value: number;
  labels: Record<string, string | number>;
}

/** Upper bounds (seconds) of the store latency buckets: 50 µs to 1 s, a store call's range. */
export const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/**
 * A Prometheus histogram of one label value, recorded with no allocation (prom-client's own
 * `observe` builds label objects and a hash per call, on every request here), served through a
 * prom-client registry, which reads any metric by its `get()`.
 */
export class LatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length);
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labels: Record<string, string>,
  ) {}

  /** Records one duration, in seconds. */
  observe(seconds: number): void {
    let index = 0;
    while (index < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[index]) index += 1;
    if (index < LATENCY_BUCKETS.length) this.buckets[index] += 1;
    this.sum += seconds;
    this.count += 1;
  }

  /** Forgets every observation (`registry.resetMetrics()` calls it on every metric). */
  reset(): void {
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** The series as prom-client serializes them: cumulative buckets, `+Inf`, sum and count. */
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }> {
    const values: Sample[] = [];
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, index) => {
      cumulative += this.buckets[index];
      values.push(this.value(`${this.name}_bucket`, cumulative, { le: bound }));
    });
    values.push(this.value(`${this.name}_bucket`, this.count, { le: '+Inf' }));
    values.push(
      this.value(`${this.name}_sum`, this.sum),
      this.value(`${this.name}_count`, this.count),
    );
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** As the registry's `registerMetric` types it, which lists prom-client's own classes only. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }

  private value(
    metricName: string,
    value: number,
    extra: Record<string, string | number> = {},
  ): Sample {
    return { metricName, value, labels: { ...this.labels, ...extra } };
  }
}
