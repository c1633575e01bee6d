import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  exchange,
  freePort,
  startThrowawayServer,
  type ServerRecipe,
  type ThrowawayServer,
} from './throwaway-server.js';

const HOST = '127.0.0.1';
const SLOT_COUNT = 16_384;
/** How long one question to one node may take: a frozen or dead node counts as not answering. */
const ASK_TIMEOUT_MS = 500;

/** One `redis-server` of a {@link ThrowawayRedisCluster}. */
export interface RedisClusterNode {
  /** Its client port on 127.0.0.1. */
  readonly port: number;
  /** Its cluster bus port (`--cluster-port`), picked free like `port`, not `port + 10000`. */
  readonly busPort: number;
  /**
   * The process: `stop()` kills it as a crash would, `start()` brings it back on the same ports
   * with its `nodes.conf`, so that it rejoins as the same node (as a replica once failed over).
   */
  readonly server: ThrowawayServer;
}

/** A node as one node of the cluster sees it (a line of `CLUSTER NODES`). */
export interface ClusterNodeInfo {
  /** The 40-character node id. */
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** The id of its master, for a replica. */
  readonly masterId: string | undefined;
  /** Every flag, such as `myself`, `master`, `slave`, `fail?` (suspected) or `fail`. */
  readonly flags: readonly string[];
  /** The slots it serves as inclusive `[first, last]` ranges (none for a replica). */
  readonly slots: readonly (readonly [number, number])[];
}

/** A Redis Cluster of throwaway `redis-server` processes on loopback ports, for failover tests. */
export interface ThrowawayRedisCluster {
  /** Every node, masters and replicas alike (which is which changes on failover). */
  readonly nodes: readonly RedisClusterNode[];
  /** `host` and `port` of every node, such as ioredis `Cluster` startup nodes. */
  readonly startupNodes: { host: string; port: number }[];
  /** The cluster as the first node that answers sees it (`CLUSTER NODES`). */
  describeNodes(): Promise<ClusterNodeInfo[]>;
  /** The node currently serving the slot of `key` as master, as the cluster reports it. */
  masterOf(key: string): Promise<RedisClusterNode>;
  /** SIGKILLs the master of `key`'s slot and resolves with it once it is dead. */
  killMasterOf(key: string): Promise<RedisClusterNode>;
  /**
   * Resolves once the cluster has settled: every node that answers reports `cluster_state:ok`
   * and the same role, master and slots for every node, all 16384 slots are assigned, and each
   * to a node that answers. Rejects after `timeoutMs` with what is still wrong.
   * @param timeoutMs @default 20000
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes their directory; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** At least 3 (`redis-cli --cluster create` wants a majority to survive). @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`: a master that does not answer for this long is failed over (a
   * replica takes over roughly one to two timeouts later). @default 1000
   */
  nodeTimeoutMs?: number;
  /** Longest wait for the cluster to be created and healthy. @default 30000 */
  startTimeoutMs?: number;
  /** @default '/usr/bin/redis-server' */
  binary?: string;
  /** @default '/usr/bin/redis-cli' */
  cliBinary?: string;
}

/**
 * Starts a Redis Cluster of `masters × (1 + replicasPerMaster)` throwaway nodes on loopback
 * ports (no persistence, files in a temporary directory), resolving once it is healthy.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<ThrowawayRedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  if (masters < 3) throw new Error(`A Redis Cluster needs 3 masters or more, not ${masters}`);
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const nodes: RedisClusterNode[] = [];
  const cluster = clusterOf(nodes, dir);
  try {
    const recipe = (busPort: number) =>
      clusterNodeRecipe(options.binary ?? '/usr/bin/redis-server', dir, busPort, options);
    const starts = await Promise.allSettled(
      Array.from({ length: masters * (1 + replicasPerMaster) }, () => startClusterNode(recipe)),
    );
    for (const start of starts) if (start.status === 'fulfilled') nodes.push(start.value);
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const startedAt = Date.now();
    await createCluster(options.cliBinary ?? '/usr/bin/redis-cli', nodes, replicasPerMaster, {
      timeoutMs: startTimeoutMs,
    });
    const left = () => Math.max(1000, startTimeoutMs - (Date.now() - startedAt));
    await cluster.waitUntilHealthy(left());
    await waitForReplicasInSync(nodes, left());
    return cluster;
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

function clusterOf(nodes: RedisClusterNode[], dir: string): ThrowawayRedisCluster {
  let closing: Promise<void> | undefined;
  const byPort = (port: number) => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (node === undefined) throw new Error(`No node of this cluster has port ${port}`);
    return node;
  };
  const describeNodes = () => fromAnyNode(nodes, (port) => clusterNodesOf(port));
  const masterOf = async (key: string) => {
    const slot = Number(await fromAnyNode(nodes, (port) => ask(port, ['CLUSTER', 'KEYSLOT', key])));
    const owner = ownerOf(slot, await describeNodes());
    if (owner === undefined) throw new Error(`No master serves slot ${slot} (of key ${key})`);
    return byPort(owner.port);
  };
  return {
    nodes,
    // A getter: `nodes` is filled in after this object is made.
    get startupNodes() {
      return nodes.map(({ port }) => ({ host: HOST, port }));
    },
    describeNodes,
    masterOf,
    killMasterOf: async (key) => {
      const master = await masterOf(key);
      await master.server.stop();
      return master;
    },
    waitUntilHealthy: (timeoutMs = 20_000) =>
      eventually(`Redis cluster healthy`, timeoutMs, () => checkHealth(nodes)),
    close: () =>
      (closing ??= (async () => {
        await Promise.all(nodes.map(({ server }) => server.close()));
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

function clusterNodeRecipe(
  binary: string,
  dir: string,
  busPort: number,
  options: RedisClusterOptions,
): ServerRecipe {
  return {
    name: 'redis-server (cluster node)',
    binary,
    args: (port) => [
      ...['--port', String(port), '--bind', HOST, '--cluster-port', String(busPort)],
      ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
      ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000)],
      // A replica may always take over, however long ago it last heard from its master.
      ...['--cluster-replica-validity-factor', '0'],
      // No persistence, and a replica's full sync starts at once (not 5 s later).
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--repl-diskless-sync-delay', '0'],
    ],
    ready: async (port) => (await exchange(port, 'PING', '\r\n')).startsWith('+PONG'),
  };
}

/**
 * Starts one node, with a cluster bus port of its own picked free (a fixed `port + 10000` may
 * be taken, or above 65535); retries on other ports if the ports were taken meanwhile.
 */
async function startClusterNode(
  recipe: (busPort: number) => ServerRecipe,
): Promise<RedisClusterNode> {
  const failures: string[] = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const busPort = await freePort();
    try {
      const server = await startThrowawayServer(recipe(busPort));
      return { port: server.port, busPort, server };
    } catch (error) {
      failures.push(messageOf(error));
    }
  }
  throw new Error(`Could not start a Redis Cluster node: ${failures.join(' | ')}`);
}

/** Runs `redis-cli --cluster create` over `nodes`, which assigns slots and replicas. */
async function createCluster(
  cli: string,
  nodes: readonly RedisClusterNode[],
  replicasPerMaster: number,
  { timeoutMs }: { timeoutMs: number },
): Promise<void> {
  const args = [
    ...['--cluster', 'create', ...nodes.map(({ port }) => `${HOST}:${port}`)],
    ...['--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
  ];
  const { status, output } = await run(cli, args, timeoutMs);
  if (status !== 0) throw new Error(`redis-cli ${args.join(' ')} ${status}:\n${output}`);
}

/** Runs `binary` to its end (killed after `timeoutMs`), resolving with how it ended and said. */
function run(binary: string, args: string[], timeoutMs: number) {
  return new Promise<{ status: number | string; output: string }>((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => keep(Buffer.from(error.message)));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? signal ?? 'failed to start', output });
    });
  });
}

/** Resolves once every replica reports `master_link_status:up`: it holds its master's data. */
function waitForReplicasInSync(nodes: readonly RedisClusterNode[], timeoutMs: number) {
  return eventually('Redis cluster replicas in sync', timeoutMs, async () => {
    const infos = await Promise.all(
      nodes.map(async ({ port }) => ({
        port,
        info: String(await ask(port, ['INFO', 'replication'])),
      })),
    );
    const behind = infos
      .map(({ port, info }) => ({ port, link: /^master_link_status:(\w+)/m.exec(info)?.[1] }))
      .filter(({ link }) => link !== undefined && link !== 'up');
    if (behind.length > 0) {
      throw new Error(
        behind.map(({ port, link }) => `${port}: master_link_status:${link}`).join('; '),
      );
    }
  });
}

/** Throws what is wrong with the cluster, as seen by the nodes that answer; else returns. */
async function checkHealth(nodes: readonly RedisClusterNode[]): Promise<void> {
  const views = await Promise.all(
    nodes.map(async ({ port }) => {
      const view = await viewOf(port).catch(() => undefined);
      return { port, state: view?.state, known: view?.known };
    }),
  );
  const live = views.filter((view) => view.known !== undefined);
  if (live.length === 0) throw new Error('no node answers');
  const livePorts = new Set(live.map(({ port }) => port));
  const problems = live
    .filter(({ state }) => state !== 'ok')
    .map(({ port, state }) => `${port} reports cluster_state:${state}`);
  const [first, ...others] = live.map(({ port, known }) => ({ port, layout: layoutOf(known!) }));
  for (const other of others) {
    if (other.layout !== first.layout)
      problems.push(`${other.port} sees [${other.layout}], ${first.port} [${first.layout}]`);
  }
  const ranges = live[0].known!.flatMap(({ port, slots }) =>
    slots.map((range) => ({ port, range })),
  );
  const covered = ranges.reduce((sum, { range: [from, to] }) => sum + to - from + 1, 0);
  if (covered !== SLOT_COUNT) problems.push(`${covered} of ${SLOT_COUNT} slots are assigned`);
  for (const { port, range } of ranges) {
    if (!livePorts.has(port))
      problems.push(`slots ${range.join('-')} are on ${port}, not answering`);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** Every node's role, master and slots, by port, as one comparable string. */
function layoutOf(known: readonly ClusterNodeInfo[]): string {
  const portOf = (id: string | undefined) => known.find((node) => node.id === id)?.port ?? id;
  return [...known]
    .sort((a, b) => a.port - b.port)
    .map(({ port, role, masterId, slots }) => {
      if (role === 'replica') return `${port} replica of ${portOf(masterId)}`;
      return `${port} master of ${slots.map((range) => range.join('-')).join(',') || 'no slot'}`;
    })
    .join('; ');
}

function ownerOf(slot: number, known: readonly ClusterNodeInfo[]): ClusterNodeInfo | undefined {
  return known.find(({ slots }) => slots.some(([from, to]) => from <= slot && slot <= to));
}

/** What the node on `port` reports: its `cluster_state` and the nodes it knows. */
async function viewOf(port: number) {
  const [info, nodes] = await withRedis(
    port,
    async (client) => [await client.call('CLUSTER', 'INFO'), await client.call('CLUSTER', 'NODES')],
    { timeoutMs: ASK_TIMEOUT_MS },
  );
  const state = /^cluster_state:(\w+)/m.exec(String(info))?.[1] ?? `(none in ${String(info)})`;
  return { state, known: parseClusterNodes(String(nodes)) };
}

async function clusterNodesOf(port: number): Promise<ClusterNodeInfo[]> {
  return parseClusterNodes(String(await ask(port, ['CLUSTER', 'NODES'])));
}

function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseClusterNode);
}

/** Parses `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>…`. */
function parseClusterNode(line: string): ClusterNodeInfo {
  const [id, address, flagList, master, , , , , ...slotFields] = line.trim().split(' ');
  const flags = flagList.split(',');
  const slots = slotFields
    .filter((field) => !field.startsWith('[')) // [slot->-id] / [slot-<-id]: migrating, importing
    .map((field) => {
      const [from, to = from] = field.split('-').map(Number);
      return [from, to] as const;
    });
  return {
    id,
    port: Number(/:(\d+)@/.exec(address)?.[1] ?? 0),
    role: flags.includes('master') ? 'master' : 'replica',
    masterId: master === '-' ? undefined : master,
    flags,
    slots,
  };
}

/** The answer of the first of `nodes` that gives one; rejects with every node's error. */
async function fromAnyNode<T>(
  nodes: readonly RedisClusterNode[],
  use: (port: number) => Promise<T>,
): Promise<T> {
  const failures: string[] = [];
  for (const { port } of nodes) {
    try {
      return await use(port);
    } catch (error) {
      failures.push(`${port}: ${messageOf(error)}`);
    }
  }
  throw new Error(`No cluster node answered: ${failures.join('; ')}`);
}

const ask = (port: number, [name, ...args]: string[]) =>
  withRedis(port, (client) => client.call(name, ...args), { timeoutMs: ASK_TIMEOUT_MS });

/** Options of {@link withRedis}. */
export interface WithRedisOptions {
  /** For a server with `requirepass`. */
  password?: string;
  /** Longest wait to connect, and for each command. @default 1000 */
  timeoutMs?: number;
}

/**
 * Connects a short-lived ioredis client to 127.0.0.1:`port` (no reconnection, no retries),
 * runs `use` with it and disconnects: for one-off questions to one node, whatever its role.
 */
export async function withRedis<T>(
  port: number,
  use: (client: Redis) => Promise<T>,
  options: WithRedisOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const client = new Redis({
    host: HOST,
    port,
    password: options.password,
    lazyConnect: true,
    enableReadyCheck: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/**
 * Calls `check` every `intervalMs` until it resolves, and resolves with its value; rejects once
 * `timeoutMs` have passed with `what` and the last reason `check` gave (its error message).
 */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T>,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`${what}: not within ${timeoutMs} ms: ${messageOf(error)}`, {
          cause: error,
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
