import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the runner put itself and the apps (`taskset`), with each process's CPUs as read back
 * from /proc: the load generator and the app it measures do not share a core.
 */
export type Pinning =
  | {
      pinned: true;
      /** The runner (autocannon runs in it, all its threads) and the servers it starts. */
      runnerCpu: number;
      /** Every app process (`taskset -c`), checked at each start-up. */
      appCpu: number;
      /** Process → the CPUs of its threads (`Cpus_allowed_list`), as /proc showed them. */
      observed: Record<string, string>;
    }
  | { pinned: false; reason: string };

/** Set once the runner is pinned: the CPU every app process is started on. */
let appCpu: number | undefined;

/**
 * Pins the runner's every thread to the first CPU it may use and keeps the second for the apps.
 * Call it before starting Redis and Memcached: they inherit the runner's affinity.
 */
export function pinRunner(enabled: boolean): Pinning {
  if (!enabled) return { pinned: false, reason: '`--no-pin`' };
  if (!hasTaskset()) return { pinned: false, reason: '`taskset` not found' };
  const cpus = parseCpuList(cpusAllowed(`/proc/${process.pid}/status`));
  if (cpus.length < 2) return { pinned: false, reason: `only CPU ${cpus.join(',')} available` };
  const [runnerCpu, app] = cpus;
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(runnerCpu), String(process.pid)], {
      stdio: 'ignore',
    });
    expectCpus(process.pid, runnerCpu, 'the runner');
  } catch (error) {
    return { pinned: false, reason: `\`taskset\` failed: ${(error as Error).message}` };
  }
  appCpu = app;
  return { pinned: true, runnerCpu, appCpu: app, observed: {} };
}

/** Reads back the CPUs of the runner and of its children (the throwaway servers). */
export function observePinning(pinning: Pinning): Pinning {
  if (!pinning.pinned) return pinning;
  const observed: Record<string, string> = { runner: threadCpus(process.pid) };
  for (const child of childrenOf(process.pid)) {
    observed[child.name] = threadCpus(child.pid);
    expectCpus(child.pid, pinning.runnerCpu, child.name);
  }
  observed.app = `${pinning.appCpu} (every app process, checked at each start-up)`;
  return { ...pinning, observed };
}

/** `command args…`, under `taskset -c <app CPU>` once the runner is pinned. */
export function appCommand(command: string, args: string[]): [string, string[]] {
  if (appCpu === undefined) return [command, args];
  return ['taskset', ['-c', String(appCpu), command, ...args]];
}

/** Throws unless every thread of the app `pid` is on the app CPU (when the runner is pinned). */
export function checkAppPinned(pid: number): void {
  if (appCpu !== undefined) expectCpus(pid, appCpu, `app ${pid}`);
}

function expectCpus(pid: number, cpu: number, what: string): void {
  const seen = threadCpus(pid);
  if (seen !== String(cpu)) throw new Error(`Pinning failed: ${what} runs on CPUs ${seen}`);
}

/** The CPU lists of all threads of `pid`, deduplicated: `1` when they all agree. */
function threadCpus(pid: number): string {
  const lists = readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [cpusAllowed(`/proc/${pid}/task/${tid}/status`)];
    } catch {
      return []; // The thread exited in between.
    }
  });
  return [...new Set(lists)].join('; ');
}

function cpusAllowed(statusFile: string): string {
  const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(statusFile, 'utf8'));
  if (line === null) throw new Error(`No Cpus_allowed_list in ${statusFile}`);
  return line[1];
}

/** `0-2,5` → `[0, 1, 2, 5]` */
function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** The runner's child processes (spawned from its main thread), with their command names. */
function childrenOf(pid: number): { pid: number; name: string }[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === ''
    ? []
    : text.split(' ').map((child) => ({
        pid: Number(child),
        name: readFileSync(`/proc/${child}/comm`, 'utf8').trim(),
      }));
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
