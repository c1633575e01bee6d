import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, guard } from '../support/throwaway-server.js';
import type { ReplayedImage } from './replay-image.js';

/** The replayed image's `CMD`, running on a loopback port. */
export interface ImageApp {
  readonly url: string;
  readonly port: number;
  /** What it printed so far, both streams. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Runs the image's `CMD` in its directory, as the container would (as its non-root user when
 * the replay has one): the image's `ENV`, then
 * `env`, on a free loopback port (`PORT`, `HOST=127.0.0.1`), with nothing else of this process's
 * environment but `PATH`. Resolves once `GET /api/v1/health` answers 200.
 * @throws Error with its output when it exits or is not healthy within 60 s
 */
export async function startImageApp(
  image: ReplayedImage,
  env: Record<string, string>,
): Promise<ImageApp> {
  const port = await freePort();
  const [command = '', ...args] = image.command;
  const child = spawn(command, args, {
    ...image.user,
    cwd: image.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, ...image.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  guard(child);
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const closed = once(child, 'close');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await closed.finally(() => clearTimeout(timer));
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(url, () => child.exitCode !== null || child.signalCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- output ---\n${output}`, { cause: error });
  }
  return { url, port, output: () => output, stop };
}

async function waitUntilHealthy(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited()) throw new Error('The app exited before it was healthy');
    try {
      const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Not healthy within ${READY_TIMEOUT_MS} ms (last: ${last})`);
}

/** Runs argv to its end with `env` and resolves with its exit code (`node` is this Node.js). */
export async function exitCodeOf(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<number | null> {
  const [command = '', ...args] = argv;
  const child = spawn(command === 'node' ? process.execPath : command, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: 'ignore',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'close').finally(() => clearTimeout(timer))) as [number | null];
  return code;
}
