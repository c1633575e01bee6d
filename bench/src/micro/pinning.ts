import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, join } from 'node:path';

/** Where each process runs: the measuring child on one core, the servers on another. */
export interface Pinning {
  /** Prefix of the measuring child's command line (`taskset -c 1`), empty when unpinned. */
  child: string[];
  /**
   * Prefixes for processes that may run side by side while the servers idle (memory per key):
   * one per core when pinned, else one.
   */
  lanes: string[][];
  /** What to pass `startRedis` / `startMemcached` as their binary. */
  redisBinary: string;
  memcachedBinary: string;
  /** One line for the report. */
  note: string;
  /** Removes the wrapper scripts. */
  cleanup(): Promise<void>;
}

const REDIS = '/usr/bin/redis-server';
const MEMCACHED = '/usr/bin/memcached';

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Pins the measuring child to core 1 and the throwaway servers to core 0 when `taskset` exists
 * and there are two cores or more. The servers are pinned through wrapper scripts passed to
 * `startRedis` / `startMemcached` as their binary (`exec taskset -c 0 /usr/bin/redis-server "$@"`),
 * so the process the runner kills is the server itself.
 */
export async function pinCores(): Promise<Pinning> {
  const taskset = which('taskset');
  const cores = os.availableParallelism();
  if (taskset === undefined || cores < 2) {
    const why = taskset === undefined ? 'no taskset' : `${cores} core`;
    const cleanup = () => Promise.resolve();
    const note = `not pinned (${why})`;
    return {
      child: [],
      lanes: [[]],
      redisBinary: REDIS,
      memcachedBinary: MEMCACHED,
      note,
      cleanup,
    };
  }
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-micro-'));
  const wrap = async (binary: string) => {
    const path = join(dir, basename(binary));
    await writeFile(path, `#!/bin/sh\nexec ${taskset} -c 0 ${binary} "$@"\n`);
    await chmod(path, 0o755);
    return path;
  };
  return {
    child: [taskset, '-c', '1'],
    lanes: [
      [taskset, '-c', '1'],
      [taskset, '-c', '0'],
    ],
    redisBinary: await wrap(REDIS),
    memcachedBinary: await wrap(MEMCACHED),
    note: 'measuring process on core 1 (`taskset -c 1`), Redis and Memcached on core 0',
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
