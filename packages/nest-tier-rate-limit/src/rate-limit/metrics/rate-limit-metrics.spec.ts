import { Registry } from 'prom-client';
import { Outcome, RateLimitMetrics } from './rate-limit-metrics.js';

describe('RateLimitMetrics', () => {
  it('serves every metric in Prometheus text, decisions counted up to the scrape', async () => {
    const metrics = new RateLimitMetrics('redis');
    metrics.decided('burst', 3, Outcome.limited);
    metrics.storeCall(0.2);
    metrics.storeCall(30);
    metrics.storeFailed();
    let open = true;
    metrics.watchCircuit(() => open);
    metrics.watchRules(() => 7);
    metrics.ruleReloadFailed();
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'ratelimit_decisions_total{policy="burst",tier="3",outcome="limited"} 1',
    );
    expect(text).toContain(
      'ratelimit_store_duration_seconds_bucket{backend="redis",le="0.00025"} 1',
    );
    expect(text).toContain('ratelimit_store_duration_seconds_bucket{backend="redis",le="0.025"} 1');
    expect(text).toContain('ratelimit_store_duration_seconds_bucket{backend="redis",le="0.05"} 2');
    expect(text).toContain('ratelimit_store_duration_seconds_bucket{backend="redis",le="+Inf"} 2');
    expect(text).toContain('ratelimit_store_duration_seconds_count{backend="redis"} 2');
    expect(text).toContain('ratelimit_store_errors_total{backend="redis"} 1');
    expect(text).toContain('ratelimit_circuit_open{backend="redis"} 1');
    expect(text).toContain('ratelimit_rules_loaded 7');
    expect(text).toContain('ratelimit_rule_reload_failures_total 1');
    open = false;
    metrics.decided('burst', 3, Outcome.limited);
    const later = await metrics.registry.metrics();
    expect(later).toContain(
      'ratelimit_decisions_total{policy="burst",tier="3",outcome="limited"} 2',
    );
    expect(later).toContain('ratelimit_circuit_open{backend="redis"} 0');
  });

  it("registers into the host's registry when given one", async () => {
    const registry = new Registry();
    const metrics = new RateLimitMetrics('memory', registry);
    expect(metrics.registry).toBe(registry);
    expect((await registry.getMetricsAsJSON()).map((metric) => metric.name)).toContain(
      'ratelimit_store_duration_seconds',
    );
    expect(() => new RateLimitMetrics('memory', registry)).toThrow(/already been registered/);
  });

  it('takes a reset of the whole registry, as hosts do between tests', async () => {
    const metrics = new RateLimitMetrics('memory');
    metrics.storeCall(1);
    metrics.storeFailed();
    metrics.registry.resetMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toContain('ratelimit_store_duration_seconds_count{backend="memory"} 0');
    expect(text).not.toContain('ratelimit_store_errors_total{backend="memory"} 1');
  });
});
