import { randomUUID } from 'node:crypto';
import type { RateLimitFailureMode } from 'nest-tier-rate-limit';
import { type BackendServer, backendServers } from '../support/backend-servers.js';
import { type LoadSample, startLoad } from '../support/load.js';
import { startTestApp, type TestApp } from '../support/rate-limit-test-app.js';

const TIMEOUT_MS = 200;
/** Slack for the HTTP round trip on a loaded 2-core machine. */
const MARGIN_MS = 400;
const OUTAGE_MS = 5000;
const RATE_PER_SECOND = 300;
const PRECAUTION = 'Access denied as a precaution';

const modes: RateLimitFailureMode[] = ['open', 'closed', 'local'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a fault is caused and ended on a backend server. */
interface Fault {
  begin(server: BackendServer): Promise<void>;
  end(server: BackendServer): Promise<void>;
}

const faults: [string, Fault][] = [
  [
    'killed with SIGKILL for 5 s, then restarted empty',
    { begin: (server) => server.stop(), end: (server) => server.start() },
  ],
  [
    'frozen with SIGSTOP for 5 s (connections accepted, nothing answered), then thawed',
    { begin: (server) => server.pause(), end: (server) => server.resume() },
  ],
];

/** Requests of `samples` sent between `from` and `to` (performance.now() times). */
const sentBetween = (samples: LoadSample[], from: number, to: number) =>
  samples.filter((sample) => sample.sentAt >= from && sample.sentAt < to);

describe.each(backendServers)('%s fault under load', (backendName, startBackend) => {
  let backend: BackendServer;
  let apps: Record<RateLimitFailureMode, TestApp>;
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(async () => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
    // One key prefix for all three: they share counters, as instances of one service do.
    const keyPrefix = `faults-${randomUUID()}`;
    const started = await Promise.all(
      modes.map((failureMode) =>
        startTestApp('express', {
          ...backend.options(TIMEOUT_MS),
          keyPrefix,
          failureMode,
          defaultLimit: 1_000_000,
        }),
      ),
    );
    apps = { open: started[0], closed: started[1], local: started[2] };
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(Object.values(apps).map((app) => app.close()));
  });

  /**
   * Polls until all three instances count on the shared backend again: a fresh caller's
   * `Remaining` then falls 4, 3, 2 across them (the local counter would restart at 4).
   */
  async function waitUntilShared(deadlineMs: number): Promise<number> {
    const started = performance.now();
    for (;;) {
      const caller = { 'x-test-user': `probe-${randomUUID()}` };
      const remaining: (string | null)[] = [];
      for (const mode of modes) {
        remaining.push(
          (await apps[mode].get('/api/things', caller)).headers.get('x-ratelimit-remaining'),
        );
      }
      if (remaining.join() === '4,3,2') return performance.now() - started;
      if (performance.now() - started > deadlineMs) {
        throw new Error(`not shared again after ${deadlineMs} ms: ${remaining.join()}`);
      }
      await sleep(100);
    }
  }

  it.each(faults)('%s', async (faultName, fault) => {
    const load = startLoad(
      modes.map((mode) => ({ name: mode, url: `${apps[mode].url}/api/guarded` })),
      {
        ratePerSecond: RATE_PER_SECOND,
        maxRequests: 6000,
        headers: (n) => ({ 'x-test-user': `load-${n % 50}` }),
      },
    );
    let samples: LoadSample[];
    const outage = { from: 0, to: 0 };
    const localProbe: { status: number; remaining: string | null }[] = [];
    let recoveryMs: number;
    const timersBefore = activeResources('Timeout');
    try {
      await sleep(1000);
      await fault.begin(backend);
      outage.from = performance.now();
      await sleep(1000);
      // `local` keeps limiting in its own memory: a fresh caller of a limit-2 route gets 2.
      const caller = { 'x-test-user': `local-${randomUUID()}` };
      for (let i = 0; i < 3; i += 1) {
        const response = await apps.local.get('/api/things/strict', caller);
        localProbe.push({
          status: response.status,
          remaining: response.headers.get('x-ratelimit-remaining'),
        });
      }
      await sleep(OUTAGE_MS - (performance.now() - outage.from));
      outage.to = performance.now();
      await fault.end(backend);
      recoveryMs = await waitUntilShared(8000);
      await sleep(1000);
    } finally {
      samples = await load.stop();
      await fault.end(backend).catch(() => undefined);
    }

    const worst = Math.max(...samples.map((sample) => sample.ms));
    const during = sentBetween(samples, outage.from, outage.to);
    const slowDuring = during.filter((sample) => sample.ms > TIMEOUT_MS / 2).length;
    console.log(
      `${backendName} ${faultName}: ${samples.length} requests, worst ${worst.toFixed(0)} ms, ` +
        `${during.length} during the outage of which ${slowDuring} waited > ${TIMEOUT_MS / 2} ms, ` +
        `statuses ${JSON.stringify(countBy(samples, (s) => `${s.target}:${s.status}`))}, ` +
        `shared counting back ${recoveryMs.toFixed(0)} ms after the server returned`,
    );

    expect(unhandled).toEqual([]);
    expect(samples.length).toBeGreaterThan(((OUTAGE_MS + 2000) / 1000) * RATE_PER_SECOND * 0.8);
    // Never a 5xx nor a dropped connection, and no request waits much past the store timeout.
    expect(samples.filter((sample) => sample.status !== 200 && sample.status !== 429)).toEqual([]);
    expect(worst).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    // The circuit breaker: after the first failures, requests stop waiting on the dead server.
    expect(slowDuring).toBeLessThan(during.length * 0.15);

    const byMode = (mode: RateLimitFailureMode, list: LoadSample[]) =>
      list.filter((sample) => sample.target === mode);
    expect(byMode('open', samples).every((sample) => sample.status === 200)).toBe(true);
    const closedDuring = byMode('closed', during);
    expect(closedDuring.length).toBeGreaterThan(0);
    expect(closedDuring.every((s) => s.status === 429 && s.message === PRECAUTION)).toBe(true);
    const localDuring = byMode('local', during);
    expect(localDuring.every((s) => s.status === 200 && s.remaining !== null)).toBe(true);
    expect(localProbe).toEqual([
      { status: 200, remaining: '1' },
      { status: 200, remaining: '0' },
      { status: 429, remaining: '0' },
    ]);
    expect(recoveryMs).toBeLessThan(5000);
    // Nothing left behind by ~1,500 failed calls: no timers piling up, sockets within the pools
    // (the load's keep-alive connections and each store's pool, a few dozen at most).
    await sleep(300);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timersBefore + 2);
    expect(activeResources('TCPSocketWrap')).toBeLessThan(100);
  });
});

/** How many of the process's active resources are of `type` (`Timeout`, `TCPSocketWrap`…). */
function activeResources(type: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === type).length;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
