import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ENTRY, ensureDemoBuilt } from './demo-build.js';
import { TEST_JWT_SECRET } from './demo-app.js';
import { freePort, guard } from './throwaway-server.js';

/** How a demo process ended: exit code or signal, and the time since it was told to stop. */
export interface DemoExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal to the exit (its pipes closed). */
  ms: number;
}

/** The built demo API running as a process of its own, on a loopback port. */
export interface DemoProcess {
  /** `http://127.0.0.1:{port}`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything it printed so far (the last 256 KiB of each stream). */
  stdout(): string;
  stderr(): string;
  /**
   * Sends `signal` at once and resolves when the process has exited; after `killAfterMs` it is
   * SIGKILLed (the result then says SIGKILL), so a test never hangs on it. Safe to call again.
   */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<DemoExit>;
}

/** Options of {@link startDemoProcess}. */
export interface DemoProcessOptions {
  /** Longest wait for `GET /api/v1/health` to answer 200. @default 30000 */
  readyTimeoutMs?: number;
}

const KEEP_CHARS = 256 * 1024;
/** Every demo process started here and not yet exited, with its stop function. */
const running = new Map<ChildProcess, DemoProcess['stop']>();

/**
 * Builds the demo if the sources changed (see `demo-build.ts`), then runs `node dist/src/main.js`
 * as an operator would, in an empty working directory (no `.env`) with only `PATH` and `env` on
 * top of these test defaults: a free `PORT`, `NODE_ENV=test`, the tests' `JWT_SECRET`, and the
 * embedded database in memory unless `DATABASE_URL` is given. Resolves once it reports healthy.
 * @throws Error with the process's output when it exits or never answers
 */
export async function startDemoProcess(
  env: Record<string, string> = {},
  { readyTimeoutMs = 30_000 }: DemoProcessOptions = {},
): Promise<DemoProcess> {
  await ensureDemoBuilt();
  const port = await freePort();
  const cwd = await mkdtemp(join(tmpdir(), 'demo-process-'));
  const child = spawn(process.execPath, [DEMO_ENTRY], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(env.DATABASE_URL === undefined ? { PGLITE_DATA_DIR: 'memory://' } : {}),
      ...env,
    },
  });
  // Killed with this process, however it dies.
  guard(child);
  const output = { stdout: '', stderr: '' };
  child.on('error', (error) => (output.stderr += `${error.message}\n`));
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]?.on('data', (chunk: Buffer) => {
      output[name] = (output[name] + chunk.toString()).slice(-KEEP_CHARS);
    });
  }
  const closed = once(child, 'close').then(async ([code, signal]) => {
    running.delete(child);
    await rm(cwd, { recursive: true, force: true });
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child, closed);
  running.set(child, stop);
  try {
    await waitUntilHealthy(url, child, readyTimeoutMs);
  } catch (error) {
    await stop('SIGKILL');
    const detail = `${(error as Error).message}\n--- stderr ---\n${output.stderr}`;
    throw new Error(`${detail}\n--- stdout ---\n${output.stdout.slice(-4000)}`, { cause: error });
  }
  return {
    url,
    port,
    pid: child.pid!,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    stop,
  };
}

/** SIGKILLs every demo process still running and waits for them; for `afterAll`. */
export async function stopDemoProcesses(): Promise<void> {
  await Promise.all([...running.values()].map((stop) => stop('SIGKILL')));
}

function stopper(
  child: ChildProcess,
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): DemoProcess['stop'] {
  let stopping: Promise<DemoExit> | undefined;
  return (signal = 'SIGTERM', killAfterMs = 10_000) => {
    // Sent on every call, so that a SIGKILL overtakes a SIGTERM still being handled.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    stopping ??= (async () => {
      const started = performance.now();
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const exit = await closed.finally(() => clearTimeout(timer));
      return { ...exit, ms: performance.now() - started };
    })();
    return stopping;
  };
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The demo exited (${child.exitCode ?? child.signalCode}) before it was ready`,
      );
    }
    last = await healthStatus(`${url}/api/v1/health`);
    if (last === '200') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The demo at ${url} was not healthy within ${timeoutMs} ms (last: ${last})`);
}

/** One `GET` without keep-alive: the status code, or why there was none. */
function healthStatus(url: string): Promise<string> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(String(response.statusCode));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve(error.message));
  });
}
