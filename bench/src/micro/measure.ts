import 'reflect-metadata';
import { selectVariants } from './catalog.js';
import { sendResult } from './channel.js';
import { measureScenario, type ScenarioResult } from './decisions.js';
import type { MeasureJob } from './jobs.js';
import { type KeysResult, memoryPerKey } from './keys.js';

/**
 * The measuring process: runs the job given as its one argument (JSON) and sends the result to
 * the runner, which started it (`node --expose-gc … dist/micro/measure.js JOB`).
 */
async function main(job: MeasureJob): Promise<ScenarioResult[] | KeysResult> {
  if (job.kind === 'keys') return memoryPerKey(job.variant, job.keys, job.ports);
  const variants = selectVariants(job.variants);
  const results: ScenarioResult[] = [];
  for (const scenario of job.scenarios)
    results.push(await measureScenario(scenario, variants, job));
  return results;
}

main(JSON.parse(process.argv[2] ?? '{}') as MeasureJob)
  .then(sendResult)
  // Open handles (the apps' timers, the channel) would keep it alive: it is done.
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
