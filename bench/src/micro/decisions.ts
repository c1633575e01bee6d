import { SCENARIOS, type ScenarioName } from '../scenarios.js';
import { VARIANT_FACTORIES } from '../variants/index.js';
import { memcachedCosts, type MemcachedCost, redisCosts, type RedisCost } from './backend.js';
import { type BytesResult, bytesPerDecision } from './bytes.js';
import type { MicroVariant } from './catalog.js';
import { ask, say } from './channel.js';
import { decideMany, type GuardHost, openGuardHost } from './guard-host.js';
import type { DecisionsJob } from './jobs.js';
import { type TimedVariant, timedRounds } from './timing.js';

/** Everything measured of one scenario, by variant name. */
export interface ScenarioResult {
  scenario: ScenarioName;
  timed: Record<string, TimedVariant>;
  bytes: Record<string, BytesResult>;
  redis: RedisCost[];
  memcached: MemcachedCost[];
  /** Whether `app.get(GuardClass, { strict: false })` gave the router's guard instance. */
  sameAsAppGet: Record<string, boolean>;
}

/** Decisions, as measured, before anything is: JIT warm, connections open, deny's request spent. */
const WARM_DECISIONS = 2000;

/**
 * Then the rest of a full pass of the scenario's callers (many-keys: 10,000), so that every
 * window is open: twins share the servers' keys with their original, and without the full pass,
 * whichever ran first would open the windows and the other only count in them.
 */
const openWindows = (scenario: ScenarioName) =>
  Math.max(
    0,
    (Number.isFinite(SCENARIOS[scenario].callers) ? SCENARIOS[scenario].callers : 0) -
      WARM_DECISIONS,
  );

/** Warm-up decisions awaiting at once, as the e2e load's 50 connections: nothing is timed. */
export const WARM_IN_FLIGHT = 50;

async function backendCosts(
  hosts: readonly GuardHost[],
  variants: readonly MicroVariant[],
  job: DecisionsJob,
  scenario: ScenarioName,
) {
  // A twin's traffic is its original's: counting it again would add nothing.
  const on = (backend: string) =>
    job.backend
      ? hosts.filter(
          (_, index) => !variants[index].twin && variants[index].info.backend === backend,
        )
      : [];
  const redis: RedisCost[] = await redisCosts(on('redis'), scenario, job.ports.redisPort);
  const memcached: MemcachedCost[] = await memcachedCosts(on('memcached'), scenario);
  return { redis, memcached };
}

/**
 * One scenario: empties the servers, builds every variant's app (each twin separately), warms
 * them, runs the interleaved timed rounds, then bytes per decision and the backend counters
 * (which empty the servers again, so they come last).
 */
export async function measureScenario(
  scenario: ScenarioName,
  variants: readonly MicroVariant[],
  job: DecisionsJob,
): Promise<ScenarioResult> {
  await ask('flush');
  const hosts: GuardHost[] = [];
  try {
    for (const variant of variants) {
      const factory = VARIANT_FACTORIES[variant.base];
      hosts.push(await openGuardHost(variant.name, factory, SCENARIOS[scenario], job.ports));
    }
    for (const host of hosts) {
      await decideMany(host, WARM_DECISIONS, WARM_IN_FLIGHT);
      // Only state is set up here: requests built faster (see requestContext).
      await decideMany(host, openWindows(scenario), WARM_IN_FLIGHT, true);
    }
    const backendOf = new Map(variants.map((variant, i) => [hosts[i], variant.backend]));
    const groupOf = (host: GuardHost) => backendOf.get(host) ?? host.name;
    const timed = await timedRounds(hosts, groupOf, job.rounds, job.inFlight, (round) => {
      if (round === job.rounds || round % 10 === 0)
        say(`[${scenario}] round ${round}/${job.rounds}`);
    });
    const bytes: Record<string, BytesResult> = {};
    if (job.bytes) {
      for (const host of hosts) bytes[host.name] = await bytesPerDecision(host);
      say(`[${scenario}] bytes per decision measured`);
    }
    const backend = await backendCosts(hosts, variants, job, scenario);
    if (job.backend) say(`[${scenario}] backend counters read`);
    const sameAsAppGet = Object.fromEntries(hosts.map((host) => [host.name, host.sameAsAppGet]));
    return { scenario, timed, bytes, ...backend, sameAsAppGet };
  } finally {
    for (const host of hosts) await host.close();
  }
}
