import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/demo-build.js';
import { instructions, readDockerfile, type Stage, stageEnv, words } from './dockerfile.js';
import { replayStage, type ReplaySources, type RunStep } from './image-layout.js';

/** The Dockerfile's stages replayed into directories of a temporary one. */
export interface ReplayedImage {
  /** The temporary directory holding every stage's. */
  root: string;
  /** The last stage's directory: what the image holds in its `WORKDIR`. */
  dir: string;
  /** The last stage's `CMD`, as argv (`node` is this Node.js). */
  command: string[];
  /** The last stage's `ENV`. */
  env: Record<string, string>;
  /** Who runs it: as root here, `nobody` stands for the image's non-root `USER`. */
  user?: { uid: number; gid: number };
}

const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

const NPM_CI_TIMEOUT_MS = 150_000;
const BUILD_TIMEOUT_MS = 180_000;

/** Tools' environment: this one without Jest's NODE_OPTIONS, plus the stage's `ENV`. */
const toolEnv = (stageVariables: Record<string, string>) => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...stageVariables };
  env.npm_config_update_notifier = 'false';
  // Not a child of this checkout's `npm run`/`npx`: none of what they export about it.
  for (const name of Object.keys(env)) {
    if (/^(NODE_OPTIONS|INIT_CWD|npm_config_local_prefix|npm_(lifecycle|package)_.*)$/.test(name)) {
      delete env[name];
    }
  }
  return env as Record<string, string>;
};

const steps: Record<string, RunStep> = {
  // The build stage's full install is this checkout's node_modules (same lockfile); the
  // runtime's production install runs for real, against the registry.
  'npm ci': async (args, dir, env) => {
    if (!args.includes('--omit=dev')) return linkNodeModules(dir);
    if (!args.includes('--ignore-scripts')) {
      throw new Error('replays install with --ignore-scripts only');
    }
    await run('npm', args.slice(1), dir, toolEnv(env), NPM_CI_TIMEOUT_MS);
  },
  'npm run build': async (args, dir, env) => {
    await run('npm', args.slice(1), dir, toolEnv(env), BUILD_TIMEOUT_MS);
  },
  // Never the host's npm cache.
  'npm cache clean': () => Promise.resolve(),
  // `chown <user>[:<group>] <path>...`: to `nobody` when root here; as anyone else, the files
  // are already the user's own.
  chown: async (args, dir) => {
    if (args.some((arg) => arg.startsWith('-'))) {
      throw new Error('replays chown without flags only');
    }
    for (const path of asRoot ? args.slice(2) : []) {
      await chown(join(dir, path), NOBODY.uid, NOBODY.gid);
    }
  },
  mkdir: async (args, dir) => {
    const paths = args.slice(1).filter((arg) => !arg.startsWith('-'));
    for (const path of paths) await mkdir(join(dir, path), { recursive: true });
  },
};

/** Replays every stage of the root Dockerfile in order (see `replayStage`). */
export async function replayImage(): Promise<ReplayedImage> {
  const stages = readDockerfile();
  const root = await mkdtemp(join(tmpdir(), 'image-replay-'));
  // mkdtemp makes it 0700: the image's user must reach its files.
  await chmod(root, 0o755);
  const sources: ReplaySources = { context: PROJECT_ROOT, stages: new Map() };
  for (const [index, stage] of stages.entries()) {
    const dir = join(root, stage.name ?? `stage-${index}`);
    await mkdir(dir);
    await replayStage(stage, dir, sources, steps);
    sources.stages.set(stage.name ?? String(index), { stage, dir });
  }
  const last = stages.at(-1)!;
  const dir = join(root, last.name ?? `stage-${stages.length - 1}`);
  return { root, dir, ...startup(last), ...(asRoot ? { user: NOBODY } : {}) };
}

function startup(stage: Stage) {
  const cmd = instructions(stage, 'CMD').at(-1);
  if (cmd === undefined) throw new Error('The last stage has no CMD');
  const command = words(cmd.args);
  return {
    command: command[0] === 'node' ? [process.execPath, ...command.slice(1)] : command,
    env: stageEnv(stage),
  };
}

/**
 * Stands in for the build stage's full `npm ci`: this checkout's node_modules, linked entry by
 * entry, except the workspace link, which points at the replayed package (so the demo compiles
 * against the package built there, not this checkout's).
 */
async function linkNodeModules(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  for (const entry of await readdir(join(PROJECT_ROOT, 'node_modules'))) {
    const workspace = join(dir, 'packages', entry);
    const target =
      entry === 'nest-tier-rate-limit' ? workspace : join(PROJECT_ROOT, 'node_modules', entry);
    await symlink(target, join(modules, entry));
  }
}

/**
 * Runs a command to completion, killing it after `timeoutMs`; resolves with its stdout, rejects
 * with the tail of both streams.
 */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}):\n${output}`));
    });
  });
}
