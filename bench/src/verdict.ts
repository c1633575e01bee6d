import type { ScenarioName } from './scenarios.js';

/** One of issue 4's targets, judged from the measurements. */
export interface TargetVerdict {
  target: string;
  status: 'met' | 'missed' | 'not measured';
  text: string;
}

/** The scenarios where ours and the peers are compared. */
export const COMPARED: ScenarioName[] = ['allow', 'deny', 'many-keys'];

/** A verdict: `met` undefined means the run did not measure it. */
export const verdict = (target: string, met: boolean | undefined, text: string): TargetVerdict => ({
  target,
  status: met === undefined ? 'not measured' : met ? 'met' : 'missed',
  text,
});
