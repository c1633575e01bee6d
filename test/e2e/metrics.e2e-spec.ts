import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RateLimitMetrics } from 'nest-tier-rate-limit';
import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';

const METRICS_TOKEN = 'scrape-token-of-24-chars';

/** The families of a scrape, by name. */
async function scrape(demo: RunningDemo): Promise<Map<string, PrometheusFamily>> {
  const answer = await fetch(`${demo.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await answer.text());
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of the sample of `family` whose labels include `labels` (0 when none). */
function valueOf(
  families: Map<string, PrometheusFamily>,
  family: string,
  labels: Record<string, string> = {},
): number {
  const sample = families
    .get(family)
    ?.metrics.find((metric) =>
      Object.entries(labels).every(([name, value]) => metric.labels?.[name] === value),
    );
  return Number(sample?.value ?? 0);
}

/** Runs `count` tasks, `width` at a time. */
async function inBatches(count: number, width: number, task: (index: number) => Promise<void>) {
  for (let start = 0; start < count; start += width) {
    const batch = [];
    for (let index = start; index < Math.min(count, start + width); index += 1)
      batch.push(task(index));
    await Promise.all(batch);
  }
}

describe.each(adapters)('GET /metrics on %s', (adapter) => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo(
      { METRICS_TOKEN, DEFAULT_RATE_LIMIT_LIMIT: '3', RATE_LIMIT_RULES_REFRESH_MS: '3600000' },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it('asks for METRICS_TOKEN, outside the API prefix and its JWT auth', async () => {
    expect((await fetch(`${demo.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${demo.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-token-of-24-charX' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${demo.url}/api/v1/metrics`)).status).toBe(404);
    const families = await scrape(demo);
    expect([...families.keys()].sort()).toEqual([
      'ratelimit_circuit_open',
      'ratelimit_decisions_total',
      'ratelimit_rule_reload_failures_total',
      'ratelimit_rules_loaded',
      'ratelimit_store_duration_seconds',
      'ratelimit_store_errors_total',
    ]);
    expect(families.get('ratelimit_store_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(valueOf(families, 'ratelimit_circuit_open', { backend: 'memory' })).toBe(0);
    // The two seeded rules, held by the rules module.
    expect(valueOf(families, 'ratelimit_rules_loaded')).toBe(2);
    expect(valueOf(families, 'ratelimit_rule_reload_failures_total')).toBe(0);
  });

  it('counts decisions per policy, tier and outcome, and store calls', async () => {
    const before = await scrape(demo);
    const free = tokenFor({ sub: `metrics-${adapter}`, tierId: 1 });
    const statuses = [];
    for (let i = 0; i < 23; i += 1)
      statuses.push((await demo.request('GET', '/api/v1/widgets/1', { token: free })).status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    for (let i = 0; i < 4; i += 1) await demo.request('GET', '/api/v1/widgets');
    const after = await scrape(demo);
    const gained = (labels: Record<string, string>) =>
      valueOf(after, 'ratelimit_decisions_total', labels) -
      valueOf(before, 'ratelimit_decisions_total', labels);
    expect(gained({ policy: 'free_widget_read', tier: '1', outcome: 'allowed' })).toBe(20);
    expect(gained({ policy: 'free_widget_read', tier: '1', outcome: 'limited' })).toBe(3);
    expect(gained({ policy: 'default', tier: 'none', outcome: 'allowed' })).toBe(3);
    expect(gained({ policy: 'default', tier: 'none', outcome: 'limited' })).toBe(1);
    // The parser folds a histogram's one series into its buckets: `+Inf` holds the count.
    const calls = (families: Map<string, PrometheusFamily>) =>
      Number(families.get('ratelimit_store_duration_seconds')?.metrics[0]?.buckets?.['+Inf']);
    expect(calls(after) - calls(before)).toBe(27);
  });

  it('labels the store latency with the backend, in seconds', async () => {
    const text = await (
      await fetch(`${demo.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const count = /^ratelimit_store_duration_seconds_count\{backend="memory"\} (\d+)$/m.exec(text);
    const sum = /^ratelimit_store_duration_seconds_sum\{backend="memory"\} (\S+)$/m.exec(text);
    expect(Number(count?.[1])).toBeGreaterThan(0);
    // Memory answers in microseconds: far below a second per call on average.
    expect(Number(sum?.[1]) / Number(count?.[1])).toBeLessThan(0.01);
  });

  it('keeps the series bounded: 10,000 callers with their own tier ids and paths', async () => {
    await inBatches(10_000, 100, async (index) => {
      // Tier ids the auth lets through unchecked, and a path of each caller's own.
      const token = tokenFor({ sub: `flood-${adapter}-${index}`, tierId: index });
      await demo.request('GET', `/api/v1/widgets/${index}`, { token });
    });
    const families = await scrape(demo);
    const series = [...families.values()].flatMap((family) => family.metrics);
    // Decisions: the two seeded rules' tiers and the defaults, a few outcomes each.
    const decisions = families.get('ratelimit_decisions_total')?.metrics ?? [];
    expect(decisions.length).toBeLessThanOrEqual(8);
    expect(series.length).toBeLessThan(40);
    const values = decisions.flatMap((metric) => Object.values(metric.labels ?? {}));
    expect(values.filter((value) => value.includes('flood') || value.includes('widgets'))).toEqual(
      [],
    );
    expect(new Set(decisions.map((metric) => metric.labels?.tier))).toEqual(
      new Set(['1', '2', 'none']),
    );
    // 10,000 requests through the demo's whole stack: seconds, more under --detectOpenHandles.
  }, 180_000);
});

describe.each(adapters)('the limiter metrics of a host app on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    jest.restoreAllMocks();
  });
  const familiesOf = async (app: TestApp) =>
    new Map(
      parsePrometheusTextFormat(await app.app.get(RateLimitMetrics).registry.metrics()).map(
        (family) => [family.name, family],
      ),
    );

  it('counts shadow refusals, and logs them sampled, one structured line', async () => {
    const warnings: unknown[][] = [];
    jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((...args: unknown[]) => void warnings.push(args));
    t = await startTestApp(adapter, {});
    for (let i = 0; i < 50; i += 1) expect((await t.get('/api/shadow/alone')).status).toBe(200);
    const families = await familiesOf(t);
    expect(valueOf(families, 'ratelimit_decisions_total', { outcome: 'allowed' })).toBe(2);
    expect(valueOf(families, 'ratelimit_decisions_total', { outcome: 'shadow_limited' })).toBe(48);
    const shadow = warnings.filter(([message]) => String(message).startsWith('shadow policy'));
    expect(shadow).toHaveLength(1);
    expect(shadow[0][1]).toMatchObject({
      event: 'rate_limit.shadow_refusal',
      policy: 'route',
      limit: 2,
      period: 60,
      suppressed: 0,
    });
  });

  it('counts store errors, degraded decisions and the open circuit', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    t = await startTestApp(adapter, {
      store: 'redis',
      redis: { url: 'redis://127.0.0.1:1/0', connectTimeoutMs: 100 },
      timeoutMs: 100,
      failureMode: 'closed',
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    for (let i = 0; i < 4; i += 1) expect((await t.get('/api/things')).status).toBe(429);
    const families = await familiesOf(t);
    expect(valueOf(families, 'ratelimit_store_errors_total', { backend: 'redis' })).toBe(2);
    expect(valueOf(families, 'ratelimit_circuit_open', { backend: 'redis' })).toBe(1);
    expect(
      valueOf(families, 'ratelimit_decisions_total', { policy: 'route', outcome: 'degraded' }),
    ).toBe(4);
  });
});
