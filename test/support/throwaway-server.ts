import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';

/** How to run one kind of throwaway server: what {@link startThrowawayServer} needs. */
export interface ServerRecipe {
  /** Its name in errors, such as `redis-server`. */
  readonly name: string;
  /** Path of the executable. */
  readonly binary: string;
  /** Command-line arguments for a server listening on 127.0.0.1:`port` only. */
  args(port: number): string[];
  /** One readiness probe: true once the server answers; false or a rejection while it starts. */
  ready(port: number): Promise<boolean>;
  /** Longest wait for `ready` after each start. @default 10000 */
  readonly readyTimeoutMs?: number;
}

/** A server process of its own on a loopback port that tests may kill, freeze and restart. */
export interface ThrowawayServer {
  /** The loopback port, kept across `stop()` / `start()`. */
  readonly port: number;
  /** Kills the server with SIGKILL (no clean shutdown) and waits for it to exit; no-op if down. */
  stop(): Promise<void>;
  /** Starts a fresh server on the same port and waits until it is ready. */
  start(): Promise<void>;
  /**
   * Freezes the server with SIGSTOP and resolves once every thread has stopped (a signal takes a
   * moment to stop them all): connections are still accepted, nothing is answered.
   */
  pause(): Promise<void>;
  /** Thaws a paused server with SIGCONT and resolves once every thread runs again. */
  resume(): Promise<void>;
  /** Kills the server for good; safe to call more than once. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Starts `recipe` on a free loopback port, resolving once it is ready. */
export async function startThrowawayServer(recipe: ServerRecipe): Promise<ThrowawayServer> {
  const { name } = recipe;
  const port = await freePort();
  let running: { server: ChildProcess; guard?: ChildProcess } | undefined;
  let closed = false;

  const stop = async () => {
    const current = running;
    running = undefined;
    if (current === undefined) return;
    // The guard first, so that it can never kill a pid the kernel has handed on.
    await Promise.all([kill(current.guard), kill(current.server)]);
  };
  const start = async () => {
    if (closed) throw new Error(`This throwaway ${name} was closed`);
    if (running !== undefined) throw new Error(`${name} on port ${port} is already running`);
    const server = launch(recipe.binary, recipe.args(port));
    running = { server, guard: server.pid === undefined ? undefined : guard(server) };
    await waitUntilReady(recipe, server, port).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  };
  const signal = async (signal: 'SIGSTOP' | 'SIGCONT') => {
    const server = running?.server;
    if (server?.pid === undefined) throw new Error(`${name} on port ${port} is not running`);
    server.kill(signal);
    await waitForThreads(name, server.pid, signal === 'SIGSTOP');
  };

  await start();
  return {
    port,
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

/** Kills `child` with SIGKILL unless it is gone, and waits until it exited and its pipes closed. */
async function kill(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || exited(child)) return;
  const closing = once(child, 'close');
  child.kill('SIGKILL');
  await closing;
}

function launch(binary: string, args: string[]): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The pipes must be drained; the tail is kept for the error if the server exits early.
  const keep = (text: string) => void output.set(child, (tail(child) + text).slice(-2000));
  child.stdout?.on('data', (chunk: Buffer) => keep(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString()));
  child.on('error', (error) => keep(error.message));
  return child;
}

const output = new WeakMap<ChildProcess, string>();
const tail = (child: ChildProcess) => output.get(child) ?? '';

/**
 * A shell that SIGKILLs `server` once its stdin reaches end of file, which happens when this
 * process dies in any way (an `exit` listener would not do: Jest's sandboxed `process` never
 * emits it). It ignores the signals a dying terminal or process group sends (memcached survives
 * SIGHUP), and is killed as soon as the server exits, before the server's pid can be reused.
 */
export function guard(server: ChildProcess): ChildProcess {
  const script = `trap '' HUP INT TERM; read _ignored; kill -KILL "$1"`;
  const child = spawn('/bin/sh', ['-c', script, 'guard', String(server.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => undefined);
  server.once('exit', () => child.kill('SIGKILL'));
  return child;
}

async function waitUntilReady(recipe: ServerRecipe, server: ChildProcess, port: number) {
  const timeoutMs = recipe.readyTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited(server) || server.pid === undefined) {
      throw new Error(`${recipe.name} on port ${port} exited before it was ready: ${tail(server)}`);
    }
    try {
      if (await recipe.ready(port)) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`${recipe.name} on port ${port} was not ready in ${timeoutMs} ms`, {
    cause: lastError,
  });
}

/** Waits until every live thread of `pid` is stopped (or none is), as `/proc` reports it. */
async function waitForThreads(name: string, pid: number, stopped: boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  for (;;) {
    // Threads may exit between the listing and the reads: those are skipped, as are zombies.
    const tasks = (await readdir(`/proc/${pid}/task`).catch(gone)) ?? [];
    const stats = await Promise.all(
      tasks.map((task) => readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(gone)),
    );
    const states = stats
      .map((stat) => stat?.charAt(stat.lastIndexOf(')') + 2))
      .filter((state) => state !== undefined && state !== 'Z' && state !== 'X');
    if (states.length === 0) throw new Error(`${name} (pid ${pid}) has exited`);
    if (states.every((state) => (state === 'T') === stopped)) return;
    if (Date.now() > deadline)
      throw new Error(`${name} ${pid} threads in states ${states.join('')}`);
    await sleep(5);
  }
}

/** Turns the errors of reading a vanished `/proc` entry into `undefined`. */
function gone(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
  throw error;
}

/**
 * A free loopback port below the kernel's ephemeral range, so that no outgoing connection can
 * take it while a test has the server stopped.
 */
export async function freePort(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const firstEphemeral = Number(range.trim().split(/\s+/)[0]) || 32768;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * (firstEphemeral - 10_000));
    if (await canListen(port)) return port;
  }
  throw new Error('Found no free port below the ephemeral range');
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/**
 * Sends one raw text command line to 127.0.0.1:`port` over a connection of its own and resolves
 * with the reply once it ends with `end`.
 */
export function exchange(port: number, command: string, end: string, timeoutMs = 1000) {
  return new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${command} timed out`)));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`${command}: connection closed early`)));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.endsWith(end)) return;
      resolve(reply);
      socket.destroy();
    });
  });
}
