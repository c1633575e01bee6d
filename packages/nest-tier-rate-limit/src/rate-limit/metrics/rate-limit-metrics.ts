import { Counter, Gauge, Registry } from 'prom-client';
import { DecisionTally } from './decision-tally.js';
import { LatencyHistogram } from './latency-histogram.js';

export { Outcome } from './decision-tally.js';

/**
 * The limiter's Prometheus metrics, in a `prom-client` registry of its own unless the module's
 * `metricsRegistry` names one (serve `registry.metrics()`, or merge it into yours):
 *
 * - `ratelimit_decisions_total{policy,tier,outcome}`: per policy a request fell under, `allowed`,
 *   `limited`, `shadow_limited` (a shadow policy would have refused) or `degraded` (the failure
 *   mode decided); `tier` is the caller's tier when an operator rule of that tier applied, else
 *   `none`; at most 1000 policy-tier pairs, the rest under `other`;
 * - `ratelimit_store_duration_seconds{backend}`: each counting call to the store;
 * - `ratelimit_store_errors_total{backend}`, `ratelimit_circuit_open{backend}` (1 while open);
 * - `ratelimit_rules_loaded`, `ratelimit_rule_reload_failures_total` (with the rules module).
 *
 * Labels are bounded: rule names, tier ids, the backend, outcomes; never callers or paths.
 * Recording a decision or a store call allocates nothing; the counts reach prom-client when the
 * registry is read.
 */
export class RateLimitMetrics {
  /** Where the metrics are registered. */
  readonly registry: Registry;
  private readonly tally: DecisionTally;
  private readonly storeLatency: LatencyHistogram;
  private readonly storeErrors: Counter;
  private readonly backendLabels: { backend: string };
  private readonly ruleReloadFailures: Counter;
  private circuitOpen: () => boolean = () => false;
  private rulesLoaded: (() => number) | undefined;

  /**
   * @param backend the store's name, the `backend` label
   * @param registry where to register (default: a registry of its own)
   * @param maxSeries policy-tier pairs counted apart before the rest count as `other`
   */
  constructor(backend: string, registry: Registry = new Registry(), maxSeries = 1000) {
    this.registry = registry;
    this.tally = new DecisionTally(maxSeries);
    const tally = this.tally;
    new Counter({
      name: 'ratelimit_decisions_total',
      help: 'Rate-limit decisions per policy, caller tier and outcome',
      labelNames: ['policy', 'tier', 'outcome'],
      registers: [registry],
      collect() {
        tally.drain((policy, tier, outcome, gained) => this.inc({ policy, tier, outcome }, gained));
      },
    });
    this.storeLatency = new LatencyHistogram(
      'ratelimit_store_duration_seconds',
      'Duration of counting calls to the rate-limit store',
      { backend },
    );
    registry.registerMetric(this.storeLatency.asMetric());
    this.storeErrors = new Counter({
      name: 'ratelimit_store_errors_total',
      help: 'Failed or timed-out calls to the rate-limit store',
      labelNames: ['backend'],
      registers: [registry],
    });
    this.backendLabels = { backend };
    this.storeErrors.inc(this.backendLabels, 0);
    // Read at each scrape; `this` inside collect() is the gauge.
    const circuitOpen = () => this.circuitOpen();
    const rulesLoaded = () => this.rulesLoaded?.();
    new Gauge({
      name: 'ratelimit_circuit_open',
      help: '1 while the circuit breaker skips the rate-limit store, else 0',
      labelNames: ['backend'],
      registers: [registry],
      collect() {
        this.set({ backend }, circuitOpen() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ratelimit_rules_loaded',
      help: 'Operator rules held in memory',
      registers: [registry],
      collect() {
        const rules = rulesLoaded();
        if (rules !== undefined) this.set(rules);
      },
    });
    this.ruleReloadFailures = new Counter({
      name: 'ratelimit_rule_reload_failures_total',
      help: 'Rule reloads that failed (the last known rules kept serving)',
      registers: [registry],
    });
  }

  /** Counts one request under one policy; `outcome` is an {@link Outcome}. */
  decided(policy: string, tier: string | number | undefined, outcome: number): void {
    this.tally.count(policy, tier, outcome);
  }

  /** Records one counting call to the store, in milliseconds. */
  storeCall(milliseconds: number): void {
    this.storeLatency.observe(milliseconds / 1000);
  }

  /** Counts one failed or timed-out store call. */
  storeFailed(): void {
    this.storeErrors.inc(this.backendLabels);
  }

  /** Reads the circuit's state at each scrape. */
  watchCircuit(isOpen: () => boolean): void {
    this.circuitOpen = isOpen;
  }

  /** Reads the number of rules held at each scrape (the rules module calls it). */
  watchRules(size: () => number): void {
    this.rulesLoaded = size;
  }

  /** Counts one failed rule reload. */
  ruleReloadFailed(): void {
    this.ruleReloadFailures.inc();
  }
}
