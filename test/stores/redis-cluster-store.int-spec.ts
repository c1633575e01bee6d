import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import {
  RedisRateLimitStore,
  type RateLimitAlgorithm,
  type RateLimitPolicyCheck,
} from 'nest-tier-rate-limit';
import {
  startRedisCluster,
  type ThrowawayRedisCluster,
  withRedis,
} from '../support/redis-cluster.js';

// The Redis store on a real local cluster of three masters with a replica each: one caller's
// keys share a hash tag, so every check is one script on one shard, exact across instances, and
// MOVED, ASK and NOSCRIPT are followed without counting twice.

const ALGORITHMS: RateLimitAlgorithm[] = ['fixed-window', 'sliding-window', 'gcra'];
const newCaller = () => `ratelimit:{user:${randomUUID()}}`;

describe('Redis store on a Redis Cluster', () => {
  let cluster: ThrowawayRedisCluster;
  const stores: RedisRateLimitStore[] = [];
  const makeStore = () => {
    const store = new RedisRateLimitStore({
      cluster: { nodes: cluster.startupNodes },
      timeoutMs: 2000,
    });
    stores.push(store);
    return store;
  };
  const policiesOf = (caller: string, limit: number): RateLimitPolicyCheck[] =>
    ALGORITHMS.map((algorithm, index) => ({
      key: `${caller}:${index === 2 ? '*' : `route${index}`}`,
      limit,
      period: 60,
      algorithm,
    }));
  /** Every node's `INFO commandstats` calls of `command`, by port. */
  const callsOf = (command: string) =>
    Promise.all(
      cluster.nodes.map(async ({ port }) => {
        const info = await withRedis(port, (client) => client.info('commandstats'));
        const line = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
        return [port, Number(line?.[1] ?? 0)] as const;
      }),
    );
  const resetStats = () =>
    Promise.all(
      cluster.nodes.map(({ port }) =>
        withRedis(port, (client) => client.call('CONFIG', 'RESETSTAT')),
      ),
    );
  const slotOf = async (key: string) =>
    Number(
      await withRedis(cluster.nodes[0].port, (client) => client.call('CLUSTER', 'KEYSLOT', key)),
    );

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    await cluster?.close();
  });

  it('counts every algorithm alone, and several policies of one caller in one script', async () => {
    const store = makeStore();
    const caller = newCaller();
    for (const algorithm of ALGORITHMS) {
      const key = `${caller}:${algorithm}`;
      const hits = [];
      for (let i = 0; i < 3; i += 1)
        hits.push(await store.incrementAndCheck(key, 2, 60, { algorithm }));
      expect(hits.map((hit) => hit.limited)).toEqual([false, false, true]);
    }
    const policies = policiesOf(newCaller(), 2);
    const decided = [];
    for (let i = 0; i < 3; i += 1) decided.push(await store.countPolicies(policies, 1, true));
    expect(decided.map((hits) => hits.map((hit) => hit.limited))).toEqual([
      [false, false, false],
      [false, false, false],
      [true, true, true],
    ]);
  });

  it.each([
    ['one policy', false],
    ['three policies at once', true],
  ])(
    'lets exactly the limit through among 300 checks from three instances (%s)',
    async (_, several) => {
      const instances = [makeStore(), makeStore(), makeStore()];
      const caller = newCaller();
      const policies = policiesOf(caller, 50);
      const checks = Array.from({ length: 300 }, async (_, n) => {
        const store = instances[n % instances.length];
        if (several)
          return (await store.countPolicies(policies, 1, true)).some((hit) => hit.limited);
        return (await store.incrementAndCheck(`${caller}:route0`, 50, 60)).limited;
      });
      const refused = (await Promise.all(checks)).filter(Boolean).length;
      expect(300 - refused).toBe(50);
    },
  );

  it("sends one script per check, to the caller's master only", async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = policiesOf(caller, 1000);
    // Connected, and the scripts known to the master.
    await store.countPolicies(policies, 1, true);
    await store.incrementAndCheck(`${caller}:route0`, 1000, 60);
    await resetStats();
    for (let i = 0; i < 10; i += 1) {
      await store.countPolicies(policies, 1, true);
      await store.incrementAndCheck(`${caller}:route0`, 1000, 60);
    }
    const master = await cluster.masterOf(policies[0].key);
    const calls = Object.fromEntries(await callsOf('evalsha'));
    expect(calls[master.port]).toBe(20);
    const elsewhere = Object.entries(calls).filter(([port]) => Number(port) !== master.port);
    expect(elsewhere.every(([, count]) => count === 0)).toBe(true);
    expect((await callsOf('eval')).every(([, count]) => count === 0)).toBe(true);
  });

  it('runs its scripts by EVAL once every node lost them, counting each check once', async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = policiesOf(caller, 10);
    await store.countPolicies(policies, 1, true);
    await Promise.all(
      cluster.nodes.map(({ port }) => withRedis(port, (client) => client.call('SCRIPT', 'FLUSH'))),
    );
    const [hit] = await store.countPolicies(policies, 1, true);
    expect(hit.count).toBe(2);
    expect(await store.getCount(policies[0].key)).toBe(2);
  });

  it("follows ASK while the caller's slot migrates, and MOVED once it has moved", async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = policiesOf(caller, 10);
    const key = policies[0].key;
    const slot = await slotOf(key);
    const nodes = await cluster.describeNodes();
    const masters = nodes.filter((node) => node.role === 'master');
    const source = masters.find((node) =>
      node.slots.some(([from, to]) => from <= slot && slot <= to),
    )!;
    const target = masters.find((node) => node.id !== source.id)!;
    const on = (port: number, ...args: (string | number)[]) =>
      withRedis(port, (client) => client.call('CLUSTER', ...args.map(String)));

    await on(target.port, 'SETSLOT', slot, 'IMPORTING', source.id);
    await on(source.port, 'SETSLOT', slot, 'MIGRATING', target.id);
    // The key is not on the source: it answers ASK, and the target counts.
    const asked = [];
    for (let i = 0; i < 3; i += 1) asked.push((await store.incrementAndCheck(key, 10, 60)).count);
    expect(asked).toEqual([1, 2, 3]);
    // Several keys of which the target lacks some: Redis answers TRYAGAIN until the slot has
    // moved, and the call fails (the failure mode decides) rather than count anywhere.
    const started = performance.now();
    await expect(store.countPolicies(policies, 1, true)).rejects.toThrow(/TRYAGAIN|redirections/);
    expect(performance.now() - started).toBeLessThan(2000);

    // Done: every master learns the slot's new owner, replicas by gossip; the store's own map
    // is stale until a MOVED.
    for (const master of masters) await on(master.port, 'SETSLOT', slot, 'NODE', target.id);
    await cluster.waitUntilHealthy();
    expect((await store.incrementAndCheck(key, 10, 60)).count).toBe(4);
    expect((await store.countPolicies(policies, 1, true))[0].count).toBe(5);
    expect((await cluster.masterOf(key)).port).toBe(target.port);
  });

  it('counts at once on a Cluster client of the host, whose nodes connect lazily', async () => {
    const client = new Cluster(cluster.startupNodes);
    const store = new RedisRateLimitStore({ client, timeoutMs: 2000 });
    try {
      const key = `${newCaller()}:a`;
      await store.incrementAndCheck(key, 100, 60);
      // One caller touches one master: the others stay lazy, and no call waits for them.
      const started = performance.now();
      for (let i = 0; i < 10; i += 1) await store.incrementAndCheck(key, 100, 60);
      expect(performance.now() - started).toBeLessThan(500);
      expect(await store.getCount(key)).toBe(11);
    } finally {
      await client.quit();
    }
  });

  it('resets a pattern on every master', async () => {
    const store = makeStore();
    const callers = Array.from({ length: 20 }, () => newCaller());
    for (const caller of callers) await store.incrementAndCheck(`${caller}:reset-me`, 5, 60);
    expect(await store.resetPattern('ratelimit:*:reset-me')).toBe(20);
    expect(await store.getCount(`${callers[0]}:reset-me`)).toBe(0);
  });
});
