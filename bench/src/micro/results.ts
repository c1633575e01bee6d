import type { MachineInfo, ProjectInfo } from '../machine.js';
import type { ScenarioResult } from './decisions.js';
import type { KeysResult } from './keys.js';
import type { MicroOptions } from './options.js';

/** The fixed settings of the instruments, for the report's method lines. */
export interface MicroSettings {
  batch: number;
  /** Batches of each variant per round. */
  passes: number;
  bytesBatch: number;
  bytesBatchesKept: number;
  tinybench: string;
}

/** Everything a micro run measured (also saved as `results/micro-<timestamp>.json`). */
export interface MicroResults {
  startedAt: string;
  finishedAt: string;
  /** The command, as typed in bench/. */
  command: string;
  options: MicroOptions;
  settings: MicroSettings;
  machine: MachineInfo;
  project: ProjectInfo;
  /** Where the processes ran. */
  pinning: string;
  /** The measured variants, twins included, in report order. */
  variants: string[];
  scenarios: ScenarioResult[];
  /** The second timing pass of the shared stores, `concurrent` decisions in flight. */
  concurrent?: { inFlight: number; scenarios: ScenarioResult[] };
  /** The full hash of the commit `ours-memory-baseline` was built from. */
  baseline?: string;
  keys: KeysResult[];
}
