import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDemoBuilt, PROJECT_ROOT } from './demo-build.js';
import { guard } from './throwaway-server.js';

/** The built scripts and the TypeORM CLI's data source, as the npm scripts run them. */
export const BUILT = {
  /** `npm run token`. */
  token: join(PROJECT_ROOT, 'dist', 'scripts', 'token.js'),
  /** `npm run seed:rate-limits`. */
  seedRateLimits: join(PROJECT_ROOT, 'dist', 'scripts', 'seed-rate-limits.js'),
  /** The `-d` of `npm run migration:*`. */
  dataSource: join(PROJECT_ROOT, 'dist', 'src', 'database', 'data-source.js'),
  /** `npm run start:prod`. */
  server: join(PROJECT_ROOT, 'dist', 'src', 'main.js'),
  /** What the `typeorm` command of the npm scripts runs. */
  typeormCli: join(PROJECT_ROOT, 'node_modules', 'typeorm', 'cli.js'),
} as const;

/** How a run ended and what it printed. */
export interface NodeRun {
  /** Exit status; null when killed (`signal` says by what). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runNode}. */
export interface NodeRunOptions {
  /** Working directory: where the scripts look for `.env` (and PGlite's `./data/`). */
  cwd: string;
  /** The environment on top of `PATH`; nothing else is inherited. @default {} */
  env?: Record<string, string>;
  /** SIGKILLed after this long, so a test never hangs on it. @default 20000 */
  timeoutMs?: number;
}

/**
 * Builds the demo if the sources changed (see `demo-build.ts`), then runs `node ...args` in
 * `cwd` with only `PATH` and `env` (no `NODE_OPTIONS` of Jest, no variables of the developer's
 * shell) and resolves once it has exited, killed or not.
 */
export async function runNode(
  args: readonly string[],
  { cwd, env = {}, timeoutMs = 20_000 }: NodeRunOptions,
): Promise<NodeRun> {
  await ensureDemoBuilt();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Killed with this process, however it dies.
  guard(child);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output });
    });
  });
}
