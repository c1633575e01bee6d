import { randomUUID } from 'node:crypto';
import type { RedisRateLimitStoreOptions } from 'nest-tier-rate-limit';
import { type LoadSample, startLoad } from '../support/load.js';
import { startTestApp, type TestApp } from '../support/rate-limit-test-app.js';
import { startRedisCluster, type ThrowawayRedisCluster } from '../support/redis-cluster.js';
import { startRedisSentinel, type ThrowawayRedisSentinel } from '../support/redis-sentinel.js';

// A Redis master killed under load, in a Redis Cluster and behind Sentinel: every request is
// answered within the store timeout per the failure mode, none with a 5xx, and once the replica
// is promoted the instances share exact counters again (timed).

const TIMEOUT_MS = 200;
/** Slack for the HTTP round trip on a loaded 2-core machine. */
const MARGIN_MS = 400;
const RATE_PER_SECOND = 300;
const PRECAUTION = 'Access denied as a precaution';
/** `/api/things` allows 5 a minute. */
const THINGS_LIMIT = 5;
const modes = ['open', 'closed'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A topology whose master can be killed, as the tests need it. */
interface Topology {
  /** The store options that reach it. */
  redis: RedisRateLimitStoreOptions;
  /** Caller ids whose counters live on the master that {@link killMaster} kills. */
  callersOnFailingMaster(count: number): Promise<string[]>;
  /** Kills that master; resolves once it is dead, with when the servers report a promoted replica. */
  killMaster(): Promise<{ promoted: Promise<number> }>;
  close(): Promise<void>;
}

async function cluster(): Promise<Topology> {
  const servers: ThrowawayRedisCluster = await startRedisCluster();
  let victim = '';
  return {
    redis: { cluster: { nodes: servers.startupNodes } },
    callersOnFailingMaster: async (count) => {
      victim = `{user:probe-${randomUUID()}}`;
      const master = (await servers.masterOf(victim)).port;
      const found: string[] = [];
      while (found.length < count) {
        const id = `probe-${randomUUID()}`;
        if ((await servers.masterOf(`{user:${id}}`)).port === master) found.push(id);
      }
      return found;
    },
    killMaster: async () => {
      await servers.killMasterOf(victim);
      return { promoted: servers.waitUntilHealthy().then(() => performance.now()) };
    },
    close: () => servers.close(),
  };
}

async function sentinel(): Promise<Topology> {
  const servers: ThrowawayRedisSentinel = await startRedisSentinel();
  return {
    redis: { sentinels: servers.sentinels, sentinelName: servers.name },
    callersOnFailingMaster: (count) =>
      Promise.resolve(Array.from({ length: count }, () => `probe-${randomUUID()}`)),
    killMaster: async () => {
      const old = await servers.killMaster();
      return { promoted: servers.waitForNewMaster(old).then(() => performance.now()) };
    },
    close: () => servers.close(),
  };
}

describe.each([
  ['Redis Cluster', cluster],
  ['Redis Sentinel', sentinel],
] as const)('%s: a master killed under load', (name, start) => {
  let topology: Topology;
  let apps: Record<'open' | 'closed', TestApp>;
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    topology = await start();
  }, 60_000);
  afterAll(async () => {
    await topology?.close();
  });
  beforeEach(async () => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
    // One key prefix for both: they share counters, as instances of one service do.
    const keyPrefix = `failover-${randomUUID()}`;
    const [open, closed] = await Promise.all(
      modes.map((failureMode) =>
        startTestApp('express', {
          store: 'redis',
          timeoutMs: TIMEOUT_MS,
          redis: { ...topology.redis, connectTimeoutMs: 1000 },
          keyPrefix,
          failureMode,
          defaultLimit: 1_000_000,
        }),
      ),
    );
    apps = { open, closed };
  }, 30_000);
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(Object.values(apps ?? {}).map((app) => app.close()));
  });

  /** `THINGS_LIMIT` × 3 requests of one fresh caller at once over both instances: how many pass. */
  async function passing(caller: string): Promise<number> {
    const requests = Array.from({ length: THINGS_LIMIT * 3 }, (_, n) =>
      apps[modes[n % 2]].get('/api/things', { 'x-test-user': caller }),
    );
    const statuses = (await Promise.all(requests)).map((response) => response.status);
    return statuses.filter((status) => status === 200).length;
  }

  /**
   * Polls until both instances count on the shared store again for callers of the failed
   * master: a fresh caller's `Remaining` falls 4 then 3 across them.
   */
  async function waitUntilShared(callers: string[], deadlineMs: number): Promise<number> {
    const started = performance.now();
    for (const caller of callers) {
      const remaining: (string | null)[] = [];
      for (const mode of modes) {
        const response = await apps[mode].get('/api/things', { 'x-test-user': caller });
        remaining.push(response.headers.get('x-ratelimit-remaining'));
      }
      if (remaining.join() === '4,3') return performance.now();
      if (performance.now() - started > deadlineMs)
        throw new Error(`not shared again after ${deadlineMs} ms: ${remaining.join()}`);
      await sleep(50);
    }
    throw new Error(`not shared again after ${callers.length} probes`);
  }

  it('answers every request per the failure mode, then limits exactly again', async () => {
    const callers = await topology.callersOnFailingMaster(400);
    expect(await passing(callers.pop()!)).toBe(THINGS_LIMIT);
    const load = startLoad(
      modes.map((mode) => ({ name: mode, url: `${apps[mode].url}/api/guarded` })),
      {
        ratePerSecond: RATE_PER_SECOND,
        maxRequests: 8000,
        // Half of them callers of the master that fails.
        headers: (n) => ({ 'x-test-user': n % 2 === 0 ? callers[n % 50] : `load-${n % 50}` }),
      },
    );
    let samples: LoadSample[];
    // performance.now() times of the kill, of the promotion as the servers report it, and of
    // both instances sharing counters again; and how many of a fresh caller's requests passed.
    const seen = { killedAt: 0, promotedAt: 0, sharedAt: 0, exact: 0 };
    try {
      await sleep(1000);
      const { promoted } = await topology.killMaster();
      // Awaited below; a failure before then must not be an unhandled rejection.
      promoted.catch(() => undefined);
      seen.killedAt = performance.now();
      seen.sharedAt = await waitUntilShared(callers.splice(50, 300), 20_000);
      seen.promotedAt = await promoted;
      seen.exact = await passing(callers.pop()!);
      await sleep(1000);
    } finally {
      samples = await load.stop();
    }
    const { killedAt, promotedAt, sharedAt, exact } = seen;

    const worst = Math.max(...samples.map((sample) => sample.ms));
    const during = samples.filter((s) => s.sentAt >= killedAt && s.sentAt < sharedAt);
    const counts: Record<string, number> = {};
    for (const { target, status } of samples)
      counts[`${target}:${status}`] = (counts[`${target}:${status}`] ?? 0) + 1;
    console.log(
      `${name}: ${samples.length} requests, worst ${worst.toFixed(0)} ms, statuses ${JSON.stringify(counts)}, ` +
        `replica promoted (as the servers report it) ${(promotedAt - killedAt).toFixed(0)} ms after the kill, ` +
        `both instances sharing exact counters again ${(sharedAt - killedAt).toFixed(0)} ms after it`,
    );

    expect(unhandled).toEqual([]);
    expect(samples.length).toBeGreaterThan(RATE_PER_SECOND * 2);
    // Never a 5xx nor a dropped connection, and no request waits much past the store timeout.
    expect(samples.filter((s) => s.status !== 200 && s.status !== 429)).toEqual([]);
    expect(worst).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(samples.filter((s) => s.target === 'open').every((s) => s.status === 200)).toBe(true);
    const closedRefusals = samples.filter((s) => s.target === 'closed' && s.status === 429);
    expect(closedRefusals.every((s) => s.message === PRECAUTION)).toBe(true);
    expect(during.some((s) => s.target === 'closed' && s.status === 429)).toBe(true);
    expect(sharedAt - killedAt).toBeLessThan(15_000);
    expect(exact).toBe(THINGS_LIMIT);
  }, 90_000);
});
