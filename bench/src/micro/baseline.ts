import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { log } from '../log.js';
import { BASELINE_PACKAGE } from '../variants/ours-baseline.js';

/**
 * The commit issue 11 was filed against: its targets ("halfway from today to the floor") are
 * measured against this code, in the same run as today's.
 */
export const ISSUE_11_BASELINE = '72b9708';

const BENCH_DIR = resolve(import.meta.dirname, '..', '..');
const REPO_DIR = resolve(BENCH_DIR, '..');

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Builds the package as it was at `commit` (its tree from `git archive`, outside the checkout so
 * that no test runner or linter finds it; kept for the next run) and installs it beside this
 * checkout's as {@link BASELINE_PACKAGE}, where the `ours-memory-baseline` variant imports it.
 * Its peers (`@nestjs/*`) resolve to this checkout's.
 * @returns the full commit hash
 */
export function installBaseline(commit: string): string {
  const hash = run('git', ['rev-parse', '--verify', `${commit}^{commit}`], REPO_DIR).trim();
  const tree = join(tmpdir(), 'nest-tier-rate-limit-baseline', hash);
  const built = join(tree, 'packages', 'nest-tier-rate-limit');
  if (!existsSync(join(built, 'dist'))) {
    log(`Baseline ${hash.slice(0, 7)}: building the package as it was then (once)`);
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    run('sh', ['-c', `git archive ${hash} | tar -x -C '${tree}'`], REPO_DIR);
    run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], tree);
    run('npm', ['run', 'build', '-w', 'nest-tier-rate-limit'], tree);
  }
  const target = join(BENCH_DIR, 'node_modules', BASELINE_PACKAGE);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(built, 'package.json'), join(target, 'package.json'));
  cpSync(join(built, 'dist'), join(target, 'dist'), { recursive: true });
  return hash;
}
