import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';

/**
 * A throwaway `redis-server` of its own on a loopback port, with no persistence, for tests that
 * kill, restart or freeze Redis. Never the shared server on 6379.
 */
export interface ThrowawayRedis {
  /** The loopback port, kept across `stop()` / `start()`. */
  readonly port: number;
  /** `redis://127.0.0.1:{port}` (database 0). */
  readonly url: string;
  /** Kills the server with SIGKILL (no clean shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts a fresh server on the same port (empty data, empty script cache) and waits for PING. */
  start(): Promise<void>;
  /** Freezes the server with SIGSTOP: connections stay open, nothing is answered. */
  pause(): void;
  /** Thaws a paused server with SIGCONT. */
  resume(): void;
  /** Kills the server for good; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** @default '/usr/bin/redis-server' */
  binary?: string;
  /** Longest wait for the server to answer PING after each start. @default 10000 */
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a {@link ThrowawayRedis} on a free loopback port, resolving once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<ThrowawayRedis> {
  const binary = options.binary ?? '/usr/bin/redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const port = await freePort();
  let child: ChildProcess | undefined;
  let closed = false;

  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  const start = async () => {
    if (closed) throw new Error('This throwaway redis-server was closed');
    if (child !== undefined) throw new Error(`redis-server on port ${port} is already running`);
    child = launch(binary, port);
    await waitForPing(child, port, readyTimeoutMs).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  };
  const signal = (name: NodeJS.Signals) => {
    if (child === undefined) throw new Error(`redis-server on port ${port} is not running`);
    child.kill(name);
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    close: async () => {
      closed = true;
      await stop();
    },
  };
}

function launch(binary: string, port: number): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, [...args, '--dir', tmpdir()], { stdio: ['ignore', 'pipe', 'pipe'] });
  // The pipes must be drained; the tail is kept for the error if the server exits early.
  const keep = (chunk: Buffer) => void output.set(child, tail(child) + chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

const output = new WeakMap<ChildProcess, string>();
const tail = (child: ChildProcess) => (output.get(child) ?? '').slice(-2000);

async function waitForPing(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited before answering PING: ${tail(child)}`);
    }
    try {
      if (await ping(port)) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`redis-server on port ${port} did not answer PING in ${timeoutMs} ms`, {
    cause: lastError,
  });
}

/** One raw `PING` over TCP: true on `+PONG`, false on any other reply (still loading, say). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => socket.destroy(new Error('PING timed out')));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
