import { ours, type ProjectPackage } from './ours.js';
import type { VariantFactory } from './variant.js';

/**
 * Where `bench:micro --baseline COMMIT` installs the package as built at an earlier commit
 * (see micro/baseline.ts); a variable, so that TypeScript does not look for it.
 */
export const BASELINE_PACKAGE = 'nest-tier-rate-limit-baseline';

// Absent unless a run asked for a baseline: only the variant that needs it then fails.
const baseline = (await import(BASELINE_PACKAGE).catch(() => undefined)) as
  ProjectPackage | undefined;

/** This project on the memory store, as the earlier build installed by `--baseline` has it. */
export const oursBaseline: VariantFactory = (context) => {
  if (baseline === undefined)
    throw new Error(`${BASELINE_PACKAGE} is not installed: run bench:micro with --baseline`);
  return ours('memory', baseline)(context);
};
