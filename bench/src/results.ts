import type { Pinning } from './affinity.js';
import type { CounterResult } from './counter-runs.js';
import type { LoadResult } from './load.js';
import type { MachineInfo, ProjectInfo } from './machine.js';
import type { SoakResult } from './memory-soak.js';
import type { BenchOptions } from './options.js';
import type { ProfileSummary } from './profile.js';
import type { ScenarioName } from './scenarios.js';
import type { VariantName } from './variants/catalog.js';

/** One measured window of one variant in one round. */
export interface TimedRun {
  round: number;
  scenario: ScenarioName;
  variant: VariantName;
  /** The variant's A/A twin: run again, last in the scenario, in a process of its own. */
  twin?: boolean;
  load: LoadResult;
  /** CPU time of the app process per response during the measured window, µs. */
  appCpuUs: number;
}

/** Everything a run measured: what the report is made of (also saved as JSON). */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  /** The command, as typed in bench/. */
  command: string;
  options: BenchOptions;
  machine: MachineInfo;
  /** How the runner and the apps were placed on the CPUs (absent in runs before pinning). */
  pinning?: Pinning;
  project: ProjectInfo;
  timed: TimedRun[];
  counters: CounterResult[];
  soak: SoakResult | undefined;
  profiles: ProfileSummary[];
}
