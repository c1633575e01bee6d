import { once } from 'node:events';
import { spawnTracked } from '../children.js';
import { log } from '../log.js';
import { answerRequests, type ChildMessage, type ServerRequest } from './channel.js';
import type { MeasureJob } from './jobs.js';

const MEASURE_SCRIPT = new URL('./measure.js', import.meta.url).pathname;

// --expose-gc for the heap readings; a large young generation makes scavenges rare in a batch.
const NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=64', '--min-semi-space-size=64'];

/**
 * Runs one job in a fresh `measure.js` process (behind `prefix`, e.g. `taskset -c 1`), answers
 * its requests to the servers with `handlers`, prints its progress, and resolves with its result.
 */
export async function runMeasureChild<T>(
  job: MeasureJob,
  prefix: readonly string[],
  handlers: Readonly<Record<ServerRequest, () => Promise<unknown>>>,
): Promise<T> {
  const command = [...prefix, process.execPath, ...NODE_FLAGS, MEASURE_SCRIPT, JSON.stringify(job)];
  const child = spawnTracked(command[0], command.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // As the e2e bench apps run.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  answerRequests(child, handlers);
  let result: { value: unknown } | undefined;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'log') log(`  ${message.line}`);
    if (message.type === 'result') result = { value: message.result };
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (result === undefined || code !== 0)
    throw new Error(`measure.js (${job.kind}) exited with ${code ?? signal}, no result`);
  return result.value as T;
}

/**
 * Runs the jobs in fresh measuring processes, one per lane at a time (a lane is a command prefix,
 * e.g. `taskset -c 0`); resolves with their results in job order.
 */
export async function runInLanes<T>(
  jobs: readonly MeasureJob[],
  lanes: readonly (readonly string[])[],
  handlers: Readonly<Record<ServerRequest, () => Promise<unknown>>>,
  done: (result: T, job: MeasureJob) => void,
): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const lane = async (prefix: readonly string[]) => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await runMeasureChild<T>(jobs[index], prefix, handlers);
      done(results[index], jobs[index]);
    }
  };
  await Promise.all(lanes.map(lane));
  return results;
}
