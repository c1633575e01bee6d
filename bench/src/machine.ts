import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine and software a run measured, for the report. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string;
  memcached: string;
  /** One-minute load average when the runner started. */
  loadAverage: number;
}

/** The project code measured: the commit, and whether its sources had uncommitted changes. */
export interface ProjectInfo {
  commit: string;
  uncommittedChanges: boolean;
}

/** Describes this machine. */
export function describeMachine(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cores: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: firstLine('/usr/bin/redis-server', ['--version']),
    memcached: firstLine('/usr/bin/memcached', ['-V']),
    loadAverage: os.loadavg()[0],
  };
}

/** The commit of the repository at `root`, and whether its code differs from it. */
export function describeProject(root: string): ProjectInfo {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  try {
    const status = git('status', '--porcelain', '--', 'src', 'migrations', 'packages');
    return {
      commit: git('rev-parse', '--short', 'HEAD').trim(),
      uncommittedChanges: status !== '',
    };
  } catch {
    return { commit: 'unknown', uncommittedChanges: false };
  }
}

function firstLine(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}
