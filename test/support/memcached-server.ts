import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { type AddressInfo, createConnection, createServer } from 'node:net';

/**
 * A throwaway `memcached` of its own on a loopback port, for tests that kill, restart or freeze
 * Memcached. Never the shared server on 11211.
 */
export interface ThrowawayMemcached {
  /** The loopback port, kept across `stop()` / `start()`. */
  readonly port: number;
  /** `127.0.0.1:{port}`, as memcached clients take it. */
  readonly location: string;
  /** Kills the server with SIGKILL and waits for it to exit; a no-op when it is not running. */
  stop(): Promise<void>;
  /** Starts a fresh server (empty) on the same port and waits until it answers `version`. */
  start(): Promise<void>;
  /**
   * Freezes the server with SIGSTOP and resolves once every thread has stopped (a signal takes a
   * moment to stop them all): connections are still accepted, nothing is answered.
   */
  pause(): Promise<void>;
  /** Thaws a paused server with SIGCONT and resolves once every thread runs again. */
  resume(): Promise<void>;
  /** Its numeric `stats` counters (`cmd_get`, `incr_hits`...), read over a connection of its own. */
  stats(): Promise<Record<string, number>>;
  /** Kills the server for good; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of {@link startMemcachedServer}. */
export interface MemcachedServerOptions {
  /** @default '/usr/bin/memcached' */
  binary?: string;
  /** Longest wait for the server to answer `version` after each start. @default 10000 */
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a {@link ThrowawayMemcached} on a free loopback port, resolving once it answers. */
export async function startMemcachedServer(
  options: MemcachedServerOptions = {},
): Promise<ThrowawayMemcached> {
  const binary = options.binary ?? '/usr/bin/memcached';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const port = await freePort();
  let child: ChildProcess | undefined;
  let closed = false;
  // An orphaned memcached would outlive the test run: kill it if the process exits first.
  const killOnExit = () => child?.kill('SIGKILL');

  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  const start = async () => {
    if (closed) throw new Error('This throwaway memcached was closed');
    if (child !== undefined) throw new Error(`memcached on port ${port} is already running`);
    child = launch(binary, port);
    await waitForVersion(child, port, readyTimeoutMs).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  };
  const signal = async (name: NodeJS.Signals, stopped: boolean) => {
    if (child?.pid === undefined) throw new Error(`memcached on port ${port} is not running`);
    child.kill(name);
    await waitForThreads(child.pid, stopped);
  };

  process.once('exit', killOnExit);
  await start().catch((error: unknown) => {
    process.off('exit', killOnExit);
    throw error;
  });
  return {
    port,
    location: `127.0.0.1:${port}`,
    stop,
    start,
    pause: () => signal('SIGSTOP', true),
    resume: () => signal('SIGCONT', false),
    stats: async () => {
      const lines = (await send(port, 'stats', 'END\r\n')).split('\r\n');
      const stats = lines.map((line) => line.split(' ')).filter(([tag]) => tag === 'STAT');
      const numeric = stats.map(([, name, value]) => [name, Number(value)] as const);
      return Object.fromEntries(numeric.filter(([, value]) => Number.isFinite(value)));
    },
    close: async () => {
      closed = true;
      process.off('exit', killOnExit);
      await stop();
    },
  };
}

function launch(binary: string, port: number): ChildProcess {
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const args = [...user, '-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The pipes must be drained; the tail is kept for the error if the server exits early.
  const keep = (chunk: Buffer) => void output.set(child, tail(child) + chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => void output.set(child, `${tail(child)}${error.message}`));
  return child;
}

const output = new WeakMap<ChildProcess, string>();
const tail = (child: ChildProcess) => (output.get(child) ?? '').slice(-2000);

async function waitForVersion(child: ChildProcess, port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`memcached on port ${port} exited before answering: ${tail(child)}`);
    }
    try {
      if ((await send(port, 'version', '\r\n')).startsWith('VERSION')) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`memcached on port ${port} did not answer version in ${timeoutMs} ms`, {
    cause: lastError,
  });
}

/** Waits until every thread of `pid` is stopped (or none is), as `/proc` reports it. */
async function waitForThreads(pid: number, stopped: boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const tasks = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(
      tasks.map(async (task) => {
        const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      }),
    );
    if (states.every((state) => (state === 'T') === stopped)) return;
    if (Date.now() > deadline)
      throw new Error(`memcached ${pid} threads are in states ${states.join('')}`);
    await sleep(5);
  }
}

/** Sends one raw text command and resolves with the reply once it ends with `end`. */
function send(port: number, command: string, end: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy(new Error(`${command} timed out`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.endsWith(end)) return;
      socket.destroy();
      resolve(reply);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
