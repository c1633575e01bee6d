import type { ChildProcess } from 'node:child_process';
import { appCommand, checkAppPinned } from './affinity.js';
import type { AppStats } from './app-module.js';
import { spawnTracked, stopChild } from './children.js';
import { freePort, sleep } from './net.js';
import { STATS_PATH, type ScenarioName } from './scenarios.js';
import type { VariantName } from './variants/catalog.js';

/** How to start one bench app process. */
export interface AppLaunch {
  variant: VariantName;
  scenario: ScenarioName;
  redisPort: number;
  memcachedPort: number;
  /** Set: the process runs with `--cpu-prof`, writing its profile into this directory. */
  cpuProfileDir?: string;
}

/** A running bench app. */
export interface RunningApp {
  readonly port: number;
  readonly pid: number;
  /** Its counters, read from the unguarded stats route. */
  stats(): Promise<AppStats>;
  /** SIGTERM, and waits until it has exited (and written its profile). */
  stop(): Promise<void>;
}

const APP_SCRIPT = new URL('./app.js', import.meta.url).pathname;

/** Spawns the app (on the app CPU once the runner is pinned) and resolves once it answers. */
export async function startApp(launch: AppLaunch): Promise<RunningApp> {
  const port = await freePort();
  const flags = launch.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${launch.cpuProfileDir}`]
    : [];
  const [command, args] = appCommand(process.execPath, [...flags, APP_SCRIPT]);
  const child = spawnTracked(command, args, {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      VARIANT: launch.variant,
      SCENARIO: launch.scenario,
      REDIS_PORT: String(launch.redisPort),
      MEMCACHED_PORT: String(launch.memcachedPort),
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const stats = async () => (await (await fetch(statsUrl(port))).json()) as AppStats;
  await waitUntilUp(child, port, () => stderr);
  try {
    checkAppPinned(child.pid ?? 0);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  if (stderr.trim() !== '') process.stderr.write(`[${launch.variant}] ${stderr}`);
  return { port, pid: child.pid ?? 0, stats, stop: () => stopChild(child, 'SIGTERM') };
}

const statsUrl = (port: number) => `http://127.0.0.1:${port}${STATS_PATH}`;

async function waitUntilUp(child: ChildProcess, port: number, stderr: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The bench app exited early:\n${stderr()}`);
    const response = await fetch(statsUrl(port)).catch(() => undefined);
    if (response?.ok === true) return;
    await sleep(50);
  }
  await stopChild(child, 'SIGKILL');
  throw new Error(`The bench app did not answer within 30 s:\n${stderr()}`);
}
