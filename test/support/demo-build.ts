import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: where `npm run build` runs and `dist/` lands. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The built demo entry point, as operators run it (`npm run start:prod`). */
export const DEMO_ENTRY = join(PROJECT_ROOT, 'dist', 'src', 'main.js');

/** What `npm run build` compiles (the package, then the demo), plus the files that steer it. */
const PACKAGE = 'packages/nest-tier-rate-limit';
const INPUT_DIRS = ['src', 'migrations', 'scripts', `${PACKAGE}/src`];
const INPUT_FILES = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  `${PACKAGE}/package.json`,
  `${PACKAGE}/tsconfig.build.json`,
];
/** Written after a successful build; `prebuild` deletes `dist/`, and the stamp with it. */
const STAMP = join(PROJECT_ROOT, 'dist', '.source-hash');
/** One lock per checkout, shared by Jest workers and by concurrent runs. */
const LOCK = join(tmpdir(), `demo-build-${hash(PROJECT_ROOT).slice(0, 12)}.lock`);
const LOCK_WAIT_MS = 180_000;

/** How {@link ensureDemoBuilt} found the build. */
export interface DemoBuild {
  /** True when this call ran `npm run build`; false when `dist/` already matched the sources. */
  built: boolean;
  /** Time spent, lock wait and build included, in milliseconds. */
  ms: number;
}

let current: Promise<DemoBuild> | undefined;

/**
 * Makes `dist/` match the current sources: runs `npm run build` unless the sources hash to what
 * the last build here was made from. Builds are serialized by a lock directory, so suites in
 * parallel workers or concurrent runs never build on top of each other. Once per test file.
 * @throws Error with the tail of the compiler's output when the build fails
 */
export function ensureDemoBuilt(): Promise<DemoBuild> {
  current ??= buildIfStale().catch((error: unknown) => {
    current = undefined;
    throw error;
  });
  return current;
}

async function buildIfStale(): Promise<DemoBuild> {
  const started = performance.now();
  const fresh = async () =>
    existsSync(DEMO_ENTRY) && (await readFile(STAMP, 'utf8').catch(() => '')) === (await sources());
  if (await fresh()) return { built: false, ms: performance.now() - started };
  await acquireLock();
  try {
    // Another holder may have built while this one waited.
    if (await fresh()) return { built: false, ms: performance.now() - started };
    const digest = await sources();
    await runBuild();
    await writeFile(STAMP, digest);
    const ms = performance.now() - started;
    console.log(`Built the demo for process tests (npm run build) in ${(ms / 1000).toFixed(1)} s`);
    return { built: true, ms };
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** A digest of every build input, paths included (a renamed file changes it). */
async function sources(): Promise<string> {
  const dirs = await Promise.all(INPUT_DIRS.map((dir) => filesUnder(join(PROJECT_ROOT, dir))));
  const files = [...dirs.flat(), ...INPUT_FILES.map((file) => join(PROJECT_ROOT, file))].sort();
  const digest = createHash('sha256');
  for (const file of files) {
    digest.update(`${relative(PROJECT_ROOT, file)}\0`);
    digest.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return digest.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function runBuild(): Promise<void> {
  // Jest's --experimental-vm-modules is not the build's business (and makes Node warn).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn('npm', ['run', 'build'], { cwd: PROJECT_ROOT, env, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`npm run build failed (${code ?? signal}):\n${output}`)),
    );
  });
}

/** Takes the lock directory, taking it over from a holder that died. */
async function acquireLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(holder) && !isAlive(holder)) {
      await rm(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`The build lock ${LOCK} is still held by ${holder}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
