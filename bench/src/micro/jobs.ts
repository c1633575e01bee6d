import type { ScenarioName } from '../scenarios.js';
import type { ServerPorts } from './guard-host.js';
import type { KeyVariant } from './keys-wiring.js';

/** Child job: ns, bytes and backend cost per decision, every variant in one process. */
export interface DecisionsJob {
  kind: 'decisions';
  scenarios: ScenarioName[];
  /** Micro variant names, twins included (`ours-redis′`). */
  variants: string[];
  rounds: number;
  /** Decisions awaiting at once in the timed rounds (1: one after the other). */
  inFlight: number;
  /** Whether to run the Redis and Memcached counter passes. */
  backend: boolean;
  /** Whether to measure bytes per decision (one after the other, whatever `inFlight`). */
  bytes: boolean;
  ports: ServerPorts;
}

/** Child job: memory per live key of one store, alone in a fresh process. */
export interface KeysJob {
  kind: 'keys';
  variant: KeyVariant;
  keys: number;
  ports: ServerPorts;
}

/** What `measure.js` is asked to do (its one argument, as JSON). */
export type MeasureJob = DecisionsJob | KeysJob;
