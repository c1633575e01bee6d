import type { LoggerService } from '@nestjs/common';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** Redis on a port nothing listens on: every ping fails with the address in its error. */
const DEAD_REDIS = {
  RATE_LIMITER_BACKEND: 'redis',
  RATE_LIMITER_REDIS_URL: 'redis://127.0.0.1:1/0',
  DEFAULT_RATE_LIMIT_LIMIT: '1',
  DEFAULT_RATE_LIMIT_PERIOD: '60',
};
const ANONYMOUS_VIEW = {
  status: 'degraded',
  rateLimitStore: { backend: 'redis', status: 'down' },
  database: { status: 'up' },
};
/** What no caller but a superuser may read: error texts, hosts, ports. */
const DETAIL = /error|127\.0\.0\.1|ECONNREFUSED|stream|writeable|:1\b/i;

/** A logger that keeps what it is given, per level. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const keep = (level: string) => (message: unknown) => {
    lines.push({ level, message: String(message) });
  };
  const logger: LoggerService = {
    log: keep('log'),
    error: keep('error'),
    warn: keep('warn'),
    debug: keep('debug'),
    verbose: keep('verbose'),
    fatal: keep('fatal'),
  };
  return { logger, lines };
}

describe.each(adapters)('GET /health with the rate-limit store down, on %s', (adapter) => {
  let demo: RunningDemo;
  const recorded = recordingLogger();
  const health = async (token?: string) => {
    const response = await demo.request('GET', '/api/v1/health', { token });
    return { response, text: await response.text() };
  };

  beforeAll(async () => {
    demo = await startDemo(DEAD_REDIS, { adapter, logger: recorded.logger });
  });
  afterAll(async () => {
    await demo.close();
  });

  it.each([
    ['an anonymous caller', undefined],
    ['a member', tokenFor({ sub: 7, tierId: 2 })],
    ['a non-superuser', tokenFor({ sub: 8, isSuperuser: false })],
  ])('shows %s statuses only, never rate limited', async (_who, token) => {
    for (let i = 0; i < 3; i += 1) {
      const { response, text } = await health(token);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
      expect(JSON.parse(text)).toEqual(ANONYMOUS_VIEW);
      expect(text).not.toMatch(DETAIL);
    }
  });

  it('shows a superuser the backend error', async () => {
    const { response, text } = await health(tokenFor({ sub: 1, isSuperuser: true }));
    expect(response.status).toBe(200);
    const body = JSON.parse(text) as { rateLimitStore: { error?: unknown } };
    expect(body).toMatchObject(ANONYMOUS_VIEW);
    expect(body.rateLimitStore.error).toEqual(expect.any(String));
    expect(body.rateLimitStore.error).not.toBe('');
  });

  it('logs the error once for all these calls, not once per call', async () => {
    for (let i = 0; i < 5; i += 1) await health();
    const errors = recorded.lines.filter(
      ({ level, message }) => level === 'error' && /health/i.test(message),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/redis rate-limit store.*down/i);
  });
});
