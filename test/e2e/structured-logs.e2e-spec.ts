import { jest } from '@jest/globals';
import { ConsoleLogger } from '@nestjs/common';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';

/** What the app writes to stdout and stderr while `run` runs, line by line. */
async function linesWritten(run: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    jest.restoreAllMocks();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}

/** The JSON records of the limiter's events among `lines`. */
function events(lines: string[]): Array<Record<string, unknown>> {
  return lines
    .filter((line) => line.includes('rate_limit.'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(adapters)('structured logs under a JSON logger on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('writes one JSON line per shadow refusal report, naming the caller, not its token', async () => {
    const lines = await linesWritten(async () => {
      t = await startTestApp(adapter, {}, false, new ConsoleLogger({ json: true }));
      const token = { 'x-test-user': 'u-77', authorization: 'Bearer secret-token-value' };
      for (let i = 0; i < 5; i += 1) await t.get('/api/shadow/alone', token);
    });
    const [record, ...more] = events(lines);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      level: 'warn',
      context: 'RateLimit',
      message: expect.stringContaining('shadow policy route would have refused'),
      params: {
        event: 'rate_limit.shadow_refusal',
        policy: 'route',
        key: expect.stringContaining('{user:u-77}'),
        limit: 2,
        period: 60,
      },
    });
    expect(lines.join('\n')).not.toContain('secret-token-value');
  });

  it('writes a backend failure as one JSON line with its fields', async () => {
    const lines = await linesWritten(async () => {
      t = await startTestApp(
        adapter,
        {
          store: 'redis',
          redis: { url: 'redis://:hunter2-password@127.0.0.1:1/0', connectTimeoutMs: 100 },
          timeoutMs: 100,
        },
        false,
        new ConsoleLogger({ json: true }),
      );
      for (let i = 0; i < 3; i += 1) await t.get('/api/things');
    });
    const failures = events(lines).filter(
      (record) => (record.params as { event?: string }).event === 'rate_limit.backend_failure',
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'error',
      params: { backend: 'redis rate-limit store', action: 'letting requests through' },
    });
    expect(lines.join('\n')).not.toContain('hunter2-password');
  });

  it('writes each rule reload as one JSON line, and never the token of the write', async () => {
    let demo: RunningDemo | undefined;
    const superuser = tokenFor({ sub: 'ops', isSuperuser: true });
    try {
      const lines = await linesWritten(async () => {
        demo = await startDemo({}, { adapter, logger: new ConsoleLogger({ json: true }) });
        const created = await demo.request('POST', '/api/v1/rate-limits', {
          token: superuser,
          body: { tierId: 1, path: '/api/v1/widgets', limit: 9, period: 60, name: 'logged' },
        });
        expect(created.status).toBe(201);
      });
      const reloads = events(lines).filter(
        (record) => (record.params as { event?: string }).event === 'rate_limit.rules_reload',
      );
      expect(reloads.map((record) => (record.params as { rules: number }).rules)).toEqual([2, 3]);
      expect(reloads[0]).toMatchObject({ level: 'log', context: 'RateLimit' });
      expect(lines.join('\n')).not.toContain(superuser);
    } finally {
      await demo?.close();
    }
  });
});
