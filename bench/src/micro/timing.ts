import { Bench } from 'tinybench';
import { decideInFlight } from './decide.js';
import type { GuardHost } from './guard-host.js';
import { collectYoung } from './heap.js';
import { seededRandom } from './stats.js';

/** Decisions per timed iteration: one sample is the mean cost of a batch. */
export const BATCH = 200;

/** What the rounds measured of one variant. */
export interface TimedVariant {
  /** ns per decision, by round, one value per batch. */
  samples: number[][];
  decisions: number;
  refused: number;
}

/** `items` in a seeded random order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Batches of every host per round, each pass over a group in a new order: A B C, C A B… */
export const PASSES = 3;

/**
 * One round: every host's {@link PASSES} batches, next to the hosts it is compared with (its
 * group), each pass over a group in a new shuffled order, groups in a shuffled order too. The
 * batches are built first and moved out of the young generation, so that the timed batches follow
 * one another and a scavenge inside one copies only what the decisions themselves keep alive. A
 * host's round value is the median of its batches: one batch hit by a pause does not decide it.
 */
async function round(
  groups: readonly (readonly GuardHost[])[],
  timed: Record<string, TimedVariant>,
  inFlight: number,
  seed: number,
) {
  const order = shuffled(groups, seed).flatMap((group, g) =>
    Array.from({ length: PASSES }, (_, pass) => shuffled(group, seed * 31 + g * 7 + pass)).flat(),
  );
  const batches = order.map((host) => host.next(BATCH));
  // Two scavenges promote what survives them: the prebuilt requests.
  collectYoung();
  collectYoung();
  // One timed iteration per task, no warm-up (the apps are warm): tinybench times the task
  // function alone (its hooks, and the building above, stay outside the timed window).
  const bench = new Bench({
    iterations: 1,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: true,
    timestampProvider: 'hrtimeNow',
  });
  order.forEach((host, index) => {
    const tally = timed[host.name];
    bench.add(`${index}`, async () => {
      tally.refused += await decideInFlight(host.guard, batches[index], inFlight);
    });
  });
  await bench.run();
  const samples = new Map<string, number[]>();
  for (const [index, task] of bench.tasks.entries()) {
    const result = task.result;
    const name = order[index].name;
    if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
    const ns = (result.latency.samples ?? []).map((ms) => (ms * 1e6) / BATCH);
    samples.set(name, [...(samples.get(name) ?? []), ...ns]);
  }
  for (const [name, ns] of samples) {
    timed[name].samples.push(ns);
    timed[name].decisions += ns.length * BATCH;
  }
}

/**
 * Interleaved rounds (see {@link round}), orders seeded. This machine's speed shifts between two
 * levels within a fraction of a second, so the batches of a pair are measured milliseconds apart
 * and their ratio is paired. `groupOf` names a host's group (its backend).
 */
export async function timedRounds(
  hosts: readonly GuardHost[],
  groupOf: (host: GuardHost) => string,
  rounds: number,
  inFlight: number,
  progress: (round: number) => void,
): Promise<Record<string, TimedVariant>> {
  const timed: Record<string, TimedVariant> = {};
  for (const host of hosts) timed[host.name] = { samples: [], decisions: 0, refused: 0 };
  const groups = [...new Set(hosts.map(groupOf))].map((group) =>
    hosts.filter((host) => groupOf(host) === group),
  );
  // The first round pays for what the warm-up left (JIT tiers, collections): not recorded.
  const burnIn: Record<string, TimedVariant> = {};
  for (const host of hosts) burnIn[host.name] = { samples: [], decisions: 0, refused: 0 };
  await round(groups, burnIn, inFlight, 0);
  for (let r = 0; r < rounds; r++) {
    await round(groups, timed, inFlight, r + 1);
    progress(r + 1);
  }
  return timed;
}
