import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';
import { PROJECT_ROOT } from './demo-build.js';

/** How a script run in a {@link PackageSandbox} ended, and what it printed. */
export interface SandboxRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Transpiled sources beside a `node_modules` that lacks some packages. */
export interface PackageSandbox {
  readonly dir: string;
  /** Runs a transpiled file (path relative to the project, `.ts` source name) with plain Node. */
  run(source: string, args?: string[], env?: Record<string, string>): Promise<SandboxRun>;
  dispose(): Promise<void>;
}

/** Options of {@link createPackageSandbox}. */
export interface PackageSandboxOptions {
  /** Folders (relative to the project) whose `.ts` sources are transpiled, specs left out. */
  folders: string[];
  /** Single `.ts` files (relative to the project) transpiled too. */
  files?: string[];
  /** Packages of the project's `node_modules` left out of the sandbox's. */
  without: string[];
}

const RUN_TIMEOUT_MS = 20_000;

/**
 * Builds a temporary project where the given packages are genuinely absent: the sources are
 * transpiled by SWC (as Jest does) with their layout kept, and every other package of the
 * project's `node_modules` is linked in. Nothing else (no asset) is copied.
 */
export async function createPackageSandbox(
  options: PackageSandboxOptions,
): Promise<PackageSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'package-sandbox-'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const sources = [...(await tsFilesUnder(options.folders)), ...(options.files ?? [])];
  await Promise.all(sources.map((source) => transpile(source, dir)));
  await linkPackages(dir, options.without);
  return {
    dir,
    run: (source, args = [], env = {}) => runNode(join(dir, toJs(source)), args, env),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function tsFilesUnder(folders: string[]): Promise<string[]> {
  const lists = await Promise.all(
    folders.map(async (folder) => {
      const entries = await readdir(join(PROJECT_ROOT, folder), { recursive: true });
      return entries.map((entry) => join(folder, entry));
    }),
  );
  return lists.flat().filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
}

async function transpile(source: string, dir: string): Promise<void> {
  const { code } = await transformFile(join(PROJECT_ROOT, source), {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  });
  const target = join(dir, toJs(source));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, code);
}

async function linkPackages(dir: string, without: string[]): Promise<void> {
  const from = join(PROJECT_ROOT, 'node_modules');
  const to = join(dir, 'node_modules');
  await mkdir(to);
  const names = (await readdir(from)).filter((name) => !name.startsWith('.'));
  for (const name of names.filter((entry) => !without.includes(entry))) {
    await symlink(relative(to, join(from, name)), join(to, name), 'dir');
  }
}

function toJs(source: string): string {
  return source.replace(/\.ts$/, '.js');
}

function runNode(file: string, args: string[], extraEnv: Record<string, string>) {
  // Jest's --experimental-vm-modules and any NODE_PATH would change what the child can load.
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  delete env.NODE_PATH;
  const child = spawn(process.execPath, [file, ...args], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise<SandboxRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
