import { Cluster, Redis } from 'ioredis';
import {
  eventually,
  startRedisCluster,
  withRedis,
  type ThrowawayRedisCluster,
} from '../support/redis-cluster.js';
import { startRedisSentinel, type ThrowawayRedisSentinel } from '../support/redis-sentinel.js';

// The throwaway Redis Cluster and Sentinel topologies of test/support work: they start, serve an
// ioredis client, and fail over when a master is killed. Timings are printed at the end.

const timings: Record<string, number> = {};
afterAll(() => console.log('Redis topology timings (ms): %j', timings));

describe('throwaway redis cluster', () => {
  const key = 'ratelimit:{topology}:hits';
  let cluster: ThrowawayRedisCluster | undefined;
  let client: Cluster | undefined;
  let clientErrors: string[] = [];
  const started = () => cluster ?? missing('The cluster did not start');
  const connected = () => client ?? missing('No cluster client');

  beforeAll(async () => {
    cluster = await timed('cluster start', () => startRedisCluster());
    client = new Cluster(cluster.startupNodes);
    clientErrors = recordErrors(client);
  }, 40_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.close();
  });

  it('has 3 masters with 1 replica each, all with cluster_state ok', async () => {
    expect(started().startupNodes).toHaveLength(6); // ioredis waits forever with none
    const known = await started().describeNodes();
    const masters = known.filter(({ role }) => role === 'master');
    expect(masters).toHaveLength(3);
    for (const { id } of masters) {
      expect(known.filter(({ masterId }) => masterId === id)).toHaveLength(1);
    }
    const infos = await Promise.all(
      started().nodes.map(({ port }) => withRedis(port, (redis) => redis.cluster('INFO'))),
    );
    for (const info of infos) expect(info).toMatch(/^cluster_state:ok\r?$/m);
  });

  it('serves SET and GET through an ioredis Cluster', async () => {
    await within('SET', 5000, connected().set(key, 'before failover'), clientErrors);
    await expect(within('GET', 5000, connected().get(key), clientErrors)).resolves.toBe(
      'before failover',
    );
  });

  it('promotes the replica of a killed master, with its data; the old one rejoins', async () => {
    const master = await started().masterOf(key);
    const replica = await replicaOf(started(), master.port);
    await waitUntilReplicated(replica.port, key);

    await expect(started().killMasterOf(key)).resolves.toBe(master);
    await timed('cluster promotion after kill', () => started().waitUntilHealthy(15_000));

    await expect(started().masterOf(key)).resolves.toMatchObject({ port: replica.port });
    const get = timed('ioredis Cluster GET after promotion', () => connected().get(key));
    await expect(within('GET', 5000, get, clientErrors)).resolves.toBe('before failover');

    await timed('cluster rejoin after restart', async () => {
      await master.server.start();
      await started().waitUntilHealthy(15_000);
    });
    const rejoined = (await started().describeNodes()).find(({ port }) => port === master.port);
    expect(rejoined).toMatchObject({ role: 'replica', masterId: replica.id });
  }, 45_000);
});

describe('throwaway redis sentinel', () => {
  const key = 'ratelimit:topology:hits';
  const password = 'topology-secret';
  let topology: ThrowawayRedisSentinel | undefined;
  let client: Redis | undefined;
  let clientErrors: string[] = [];
  const started = () => topology ?? missing('The sentinel topology did not start');
  const connected = () => client ?? missing('No sentinel client');

  beforeAll(async () => {
    topology = await timed('sentinel start', () => startRedisSentinel({ password }));
    client = new Redis({ sentinels: topology.sentinels, name: topology.name, password });
    clientErrors = recordErrors(client);
  }, 40_000);
  afterAll(async () => {
    client?.disconnect();
    await topology?.close();
  });

  it('has a master, 1 replica and 3 sentinels that report the master', async () => {
    const [master, replica, ...more] = started().servers;
    expect(more).toHaveLength(0);
    expect(started().sentinels).toHaveLength(3);
    await expect(started().currentMaster()).resolves.toEqual({
      host: '127.0.0.1',
      port: master.port,
    });
    const role = await withRedis(replica.port, (redis) => redis.call('ROLE'), { password });
    expect(role).toEqual(['slave', '127.0.0.1', master.port, 'connected', expect.any(Number)]);
  });

  it('serves SET and GET through an ioredis sentinel client', async () => {
    await within('SET', 5000, connected().set(key, 'before failover'), clientErrors);
    await expect(within('GET', 5000, connected().get(key), clientErrors)).resolves.toBe(
      'before failover',
    );
  });

  it('promotes the replica of a killed master, with its data', async () => {
    const [master, replica] = started().servers;
    await waitUntilReplicated(replica.port, key, password);

    await expect(started().killMaster()).resolves.toBe(master.port);
    const promoted = await timed('sentinel promotion after kill', () =>
      started().waitForNewMaster(master.port, 20_000),
    );

    expect(promoted).toEqual({ host: '127.0.0.1', port: replica.port });
    await expect(started().currentMaster()).resolves.toEqual(promoted);
    const get = timed('ioredis sentinel client GET after promotion', () => connected().get(key));
    await expect(within('GET', 5000, get, clientErrors)).resolves.toBe('before failover');
  }, 30_000);
});

/** Runs `step`, recording how long it took in {@link timings}. */
async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    timings[step] = Date.now() - started;
  }
}

/** Throws `message`: for what a test needs but an earlier step did not provide. */
function missing(message: string): never {
  throw new Error(message);
}

/** The replica of the master on `masterPort`, as the cluster reports it. */
async function replicaOf(cluster: ThrowawayRedisCluster, masterPort: number) {
  const known = await cluster.describeNodes();
  const master = known.find(({ port }) => port === masterPort) ?? missing(`No node ${masterPort}`);
  return (
    known.find(({ masterId }) => masterId === master.id) ?? missing(`${masterPort}: no replica`)
  );
}

/** Waits until the replica on `port` holds `key` (replication is asynchronous). */
async function waitUntilReplicated(port: number, key: string, password?: string) {
  await eventually(`${key} on replica ${port}`, 5000, () =>
    withRedis(
      port,
      async (redis) => {
        await redis.call('READONLY').catch(() => undefined); // for a cluster replica only
        if ((await redis.exists(key)) !== 1) throw new Error('not there yet');
      },
      { password },
    ),
  );
}

/** The latest errors `client` reports (kept from now on), for failure messages. */
function recordErrors(client: Cluster | Redis): string[] {
  const errors: string[] = [];
  const keep = (text: string) => errors.push(text) > 20 && errors.shift();
  client.on('error', (error: Error) => keep(error.message));
  client.on('node error', (error: Error, node: string) => keep(`${node}: ${error.message}`));
  return errors;
}

/** `promise`, or a rejection after `timeoutMs` naming `what` and the client's latest errors. */
async function within<T>(what: string, timeoutMs: number, promise: Promise<T>, errors: string[]) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const seen = errors.join(' | ') || 'none';
      reject(new Error(`${what}: no answer in ${timeoutMs} ms; client errors: ${seen}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
