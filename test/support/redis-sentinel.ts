import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, withRedis } from './redis-cluster.js';
import {
  exchange,
  startThrowawayServer,
  type ServerRecipe,
  type ThrowawayServer,
} from './throwaway-server.js';

const HOST = '127.0.0.1';
/** How long one question to one process may take: a frozen or dead one counts as silent. */
const ASK_TIMEOUT_MS = 500;

/** A `host` and `port`, as Sentinel reports a master and ioredis takes `sentinels`. */
export interface HostAndPort {
  host: string;
  port: number;
}

/**
 * A Redis master with replicas, watched by Redis Sentinels, all throwaway processes on loopback
 * ports (no persistence, files in a temporary directory), for failover tests.
 */
export interface ThrowawayRedisSentinel {
  /** The master group name the sentinels monitor, such as ioredis' `name` option. */
  readonly name: string;
  /** The data nodes' password (`requirepass` and `masterauth`), if any. */
  readonly password: string | undefined;
  /** Every sentinel's address, such as ioredis' `sentinels` option. */
  readonly sentinels: HostAndPort[];
  /** The sentinel processes, in the order of {@link sentinels}. */
  readonly sentinelServers: readonly ThrowawayServer[];
  /**
   * The data nodes, the first master at the start. A node restarted after `stop()` comes back
   * with its first role: a former master is a second master until the sentinels make it a
   * replica of the new one, some 10 s later.
   */
  readonly servers: readonly ThrowawayServer[];
  /** The master now, as the first sentinel that answers reports it (`get-master-addr-by-name`). */
  currentMaster(): Promise<HostAndPort>;
  /** SIGKILLs the current master and resolves with its port once it is dead. */
  killMaster(): Promise<number>;
  /**
   * Resolves with the new master once every sentinel that answers reports the same master other
   * than `oldPort`, and that node answers `ROLE` as master; rejects after `timeoutMs` with what
   * is still missing.
   * @param timeoutMs @default 20000
   */
  waitForNewMaster(oldPort: number, timeoutMs?: number): Promise<HostAndPort>;
  /** Kills the sentinels, then the data nodes, and removes their directory; idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startRedisSentinel}. */
export interface RedisSentinelOptions {
  /** @default 'ratelimit' */
  name?: string;
  /** @default 1 */
  replicas?: number;
  /** @default 3 */
  sentinels?: number;
  /** Sentinels that must agree the master is down. @default a majority of `sentinels` */
  quorum?: number;
  /** `down-after-milliseconds`: silence after which a sentinel deems a node down. @default 1000 */
  downAfterMs?: number;
  /**
   * `failover-timeout`: also, twice this is how long the sentinels wait before they retry a
   * failover that failed (such as a split vote). @default 3000
   */
  failoverTimeoutMs?: number;
  /** Sets `requirepass` and `masterauth` on the data nodes and `auth-pass` on the sentinels. */
  password?: string;
  /** Longest wait for the replicas to sync and the sentinels to know everyone. @default 20000 */
  startTimeoutMs?: number;
  /** Runs both data nodes and sentinels (`--sentinel`). @default '/usr/bin/redis-server' */
  binary?: string;
}

/**
 * Starts a master, its replicas and the sentinels monitoring them, resolving once the replicas
 * are in sync and every sentinel knows every replica and every other sentinel (so that a
 * failover can happen at once).
 */
export async function startRedisSentinel(
  options: RedisSentinelOptions = {},
): Promise<ThrowawayRedisSentinel> {
  const settings = {
    name: options.name ?? 'ratelimit',
    binary: options.binary ?? '/usr/bin/redis-server',
    password: options.password,
    replicas: options.replicas ?? 1,
    sentinels: options.sentinels ?? 3,
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
  };
  const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
  const servers: ThrowawayServer[] = [];
  const sentinelServers: ThrowawayServer[] = [];
  const topology = topologyOf(settings, dir, servers, sentinelServers);
  try {
    const master = await startThrowawayServer(dataNodeRecipe(settings, dir));
    servers.push(master);
    await startAll(servers, settings.replicas, () => dataNodeRecipe(settings, dir, master.port));
    const deadline = Date.now() + settings.startTimeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    await Promise.all(
      servers.slice(1).map((replica) => waitForSync(replica.port, settings, left())),
    );
    const sentinelSettings = {
      ...settings,
      masterPort: master.port,
      quorum: options.quorum ?? Math.floor(settings.sentinels / 2) + 1,
      downAfterMs: options.downAfterMs ?? 1000,
      failoverTimeoutMs: options.failoverTimeoutMs ?? 3000,
    };
    await startAll(sentinelServers, settings.sentinels, () =>
      sentinelRecipe(sentinelSettings, dir),
    );
    await Promise.all(sentinelServers.map(({ port }) => waitForSentinel(port, settings, left())));
    return topology;
  } catch (error) {
    await topology.close();
    throw error;
  }
}

interface Settings {
  readonly name: string;
  readonly binary: string;
  readonly password: string | undefined;
  readonly replicas: number;
  readonly sentinels: number;
}

function topologyOf(
  settings: Settings,
  dir: string,
  servers: ThrowawayServer[],
  sentinelServers: ThrowawayServer[],
): ThrowawayRedisSentinel {
  const { name, password } = settings;
  let closing: Promise<void> | undefined;
  const currentMaster = () => fromAnySentinel(sentinelServers, (port) => masterAddress(port, name));
  return {
    name,
    password,
    // A getter: `sentinelServers` is filled in after this object is made.
    get sentinels() {
      return sentinelServers.map(({ port }) => ({ host: HOST, port }));
    },
    sentinelServers,
    servers,
    currentMaster,
    killMaster: async () => {
      const { port } = await currentMaster();
      const master = servers.find((server) => server.port === port);
      if (master === undefined) throw new Error(`The sentinels report an unknown master ${port}`);
      await master.stop();
      return port;
    },
    waitForNewMaster: (oldPort, timeoutMs = 20_000) =>
      eventually(`A master other than ${oldPort}`, timeoutMs, () =>
        checkNewMaster(oldPort, sentinelServers, settings),
      ),
    close: () =>
      (closing ??= (async () => {
        // The sentinels first, so that none reconfigures a node that is going away.
        await Promise.all(sentinelServers.map((sentinel) => sentinel.close()));
        await Promise.all(servers.map((server) => server.close()));
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** Starts `count` servers of `recipe` at once, adding each started one to `started`. */
async function startAll(
  started: ThrowawayServer[],
  count: number,
  recipe: () => ServerRecipe,
): Promise<void> {
  const starts = await Promise.allSettled(
    Array.from({ length: count }, () => startThrowawayServer(recipe())),
  );
  for (const start of starts) if (start.status === 'fulfilled') started.push(start.value);
  const failed = starts.find((start) => start.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** A data node: a master, or a replica of 127.0.0.1:`masterPort`. */
function dataNodeRecipe(settings: Settings, dir: string, masterPort?: number): ServerRecipe {
  const { password } = settings;
  return {
    name: masterPort === undefined ? 'redis-server (master)' : 'redis-server (replica)',
    binary: settings.binary,
    args: (port) => [
      ...['--port', String(port), '--bind', HOST],
      // No persistence, and a replica's full sync starts at once (not 5 s later).
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--repl-diskless-sync-delay', '0'],
      // Any node may become a replica of any other after a failover.
      ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
      ...(masterPort === undefined ? [] : ['--replicaof', HOST, String(masterPort)]),
    ],
    // `-NOAUTH` proves a password-protected server is up just as well as `+PONG`.
    ready: async (port) => /^(\+PONG|-NOAUTH)/.test(await exchange(port, 'PING', '\r\n')),
  };
}

interface SentinelSettings extends Settings {
  readonly masterPort: number;
  readonly quorum: number;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
}

/**
 * A sentinel, whose configuration file (which Sentinel rewrites as it learns) is written at its
 * first start only, so that a restarted sentinel keeps what it knew.
 */
function sentinelRecipe(settings: SentinelSettings, dir: string): ServerRecipe {
  const { name } = settings;
  return {
    name: 'redis-server --sentinel',
    binary: settings.binary,
    args: (port) => {
      const file = join(dir, `sentinel-${port}.conf`);
      if (!existsSync(file)) writeFileSync(file, sentinelConfig(settings, dir, port));
      return [file, '--sentinel'];
    },
    ready: async (port) => (await exchange(port, 'PING', '\r\n')).startsWith('+PONG'),
    readyTimeoutMs: 10_000,
  };
  function sentinelConfig(settings: SentinelSettings, dir: string, port: number): string {
    const lines = [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${JSON.stringify(dir)}`,
      'sentinel resolve-hostnames no',
      `sentinel monitor ${name} ${HOST} ${settings.masterPort} ${settings.quorum}`,
      `sentinel down-after-milliseconds ${name} ${settings.downAfterMs}`,
      `sentinel failover-timeout ${name} ${settings.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${name} 1`,
    ];
    if (settings.password !== undefined) {
      lines.push(`sentinel auth-pass ${name} ${JSON.stringify(settings.password)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Resolves once the replica on `port` reports `master_link_status:up`. */
function waitForSync(port: number, settings: Settings, timeoutMs: number): Promise<void> {
  return eventually(`Replica ${port} in sync`, timeoutMs, async () => {
    const info = await withRedis(port, (client) => client.info('replication'), {
      password: settings.password,
      timeoutMs: ASK_TIMEOUT_MS,
    });
    const status = /^master_link_status:(\w+)/m.exec(info)?.[1];
    if (status !== 'up') throw new Error(`master_link_status:${status}`);
  });
}

/**
 * Resolves once the sentinel on `port` knows every other sentinel, and knows every replica as
 * a healthy one (flags `slave`, link to the master `ok`): only such a replica can be promoted.
 */
function waitForSentinel(port: number, settings: Settings, timeoutMs: number): Promise<void> {
  return eventually(`Sentinel ${port} ready`, timeoutMs, async () => {
    const [master, replicas] = await withRedis(
      port,
      async (client) => [
        fields(await client.call('SENTINEL', 'MASTER', settings.name)),
        ((await client.call('SENTINEL', 'REPLICAS', settings.name)) as unknown[]).map(fields),
      ],
      { timeoutMs: ASK_TIMEOUT_MS },
    );
    const others = Number(master.get('num-other-sentinels'));
    if (others < settings.sentinels - 1) throw new Error(`it knows ${others} other sentinels`);
    const healthy = replicas.filter(
      (replica) => replica.get('flags') === 'slave' && replica.get('master-link-status') === 'ok',
    );
    if (healthy.length < settings.replicas) {
      const seen = replicas.map((replica) => `${replica.get('port')}: ${replica.get('flags')}`);
      throw new Error(`it knows replicas [${seen.join(', ')}]`);
    }
  });
}

/** Throws unless all sentinels that answer agree on a master other than `oldPort`, that is one. */
async function checkNewMaster(
  oldPort: number,
  sentinelServers: readonly ThrowawayServer[],
  settings: Settings,
): Promise<HostAndPort> {
  const answers = await Promise.all(
    sentinelServers.map(({ port }) => masterAddress(port, settings.name).catch(() => undefined)),
  );
  const ports = [...new Set(answers.flatMap((answer) => (answer ? [answer.port] : [])))];
  if (ports.length !== 1 || ports[0] === oldPort) {
    throw new Error(`the sentinels report masters [${answers.map((a) => a?.port).join(', ')}]`);
  }
  const [port] = ports;
  const role = await withRedis(port, (client) => client.call('ROLE'), {
    password: settings.password,
    timeoutMs: ASK_TIMEOUT_MS,
  });
  if (!Array.isArray(role) || role[0] !== 'master') {
    throw new Error(`${port}, reported as master, answers ROLE ${JSON.stringify(role)}`);
  }
  return { host: HOST, port };
}

async function masterAddress(sentinelPort: number, name: string): Promise<HostAndPort> {
  const reply = await withRedis(
    sentinelPort,
    (client) => client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name),
    { timeoutMs: ASK_TIMEOUT_MS },
  );
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new Error(`Sentinel ${sentinelPort} knows no master ${name}: ${JSON.stringify(reply)}`);
  }
  return { host: String(reply[0]), port: Number(reply[1]) };
}

/** The answer of the first sentinel that gives one; rejects with every sentinel's error. */
async function fromAnySentinel<T>(
  sentinels: readonly ThrowawayServer[],
  use: (port: number) => Promise<T>,
): Promise<T> {
  const failures: string[] = [];
  for (const { port } of sentinels) {
    try {
      return await use(port);
    } catch (error) {
      failures.push(`${port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`No sentinel answered: ${failures.join('; ')}`);
}

/** A flat `[field, value, field, value, …]` reply as a map. */
function fields(reply: unknown): Map<string, string> {
  const list = Array.isArray(reply) ? reply.map(String) : [];
  return new Map(list.flatMap((item, i) => (i % 2 === 0 ? [[item, list[i + 1]] as const] : [])));
}
