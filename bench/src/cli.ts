import type { ScenarioName } from './scenarios.js';

/** The flags both runners read (each adds its own). */
export const COMMON_FLAGS = {
  quick: { type: 'boolean', default: false },
  rounds: { type: 'string' },
  scenarios: { type: 'string' },
  variants: { type: 'string' },
  out: { type: 'string' },
  'report-from': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** `a, b` → `['a', 'b']`; `undefined` stays. */
export const list = (text: string | undefined) => text?.split(',').map((item) => item.trim());

/** Prints the usage and exits when `--help` was given. */
export function exitOnHelp(help: boolean | undefined, usage: string): void {
  if (help !== true) return;
  console.log(usage);
  process.exit(0);
}

/** The `--scenarios` list, or `all`; throws on a name outside `all`. */
export function scenariosFrom(
  text: string | undefined,
  all: readonly ScenarioName[],
  usage: string,
): ScenarioName[] {
  const scenarios = (list(text) ?? [...all]) as ScenarioName[];
  for (const scenario of scenarios) {
    if (!all.includes(scenario)) throw new Error(`Unknown scenario ${scenario}\n${usage}`);
  }
  return scenarios;
}
