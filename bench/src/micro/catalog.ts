import {
  MICRO_ONLY,
  OPT_IN,
  variantInfo,
  variantsFor,
  type VariantInfo,
  type VariantName,
} from '../variants/catalog.js';

/** Appended to a variant's name for its A/A twin: `ours-memory′`. */
export const TWIN_MARK = '′';

/** The backends ours is compared on. */
export type Backend = 'memory' | 'redis' | 'memcached';

/** One measured guard: a bench variant, or an A/A twin of ours (a second app of that variant). */
export interface MicroVariant {
  /** `ours-redis`, or `ours-redis′` for the twin. */
  readonly name: string;
  /** The bench variant whose app it builds. */
  readonly base: VariantName;
  readonly info: VariantInfo;
  readonly twin: boolean;
  /** The backend it is compared on (`floor`, which has none, against memory). */
  readonly backend: Backend;
  /** The variant its ratios divide by: ours on the same backend. */
  readonly reference: string;
}

// The compared guards of the e2e rounds, without the unprotected route (nothing to call).
// and the variants only this runner has.
const BASES: readonly VariantName[] = [
  ...variantsFor('allow').filter((name) => name !== 'none'),
  ...MICRO_ONLY,
];

function describe(name: string): MicroVariant {
  const twin = name.endsWith(TWIN_MARK);
  const info = variantInfo(twin ? name.slice(0, -TWIN_MARK.length) : name);
  if (twin && info.owner !== 'ours') throw new Error(`Only ours has an A/A twin, not ${name}`);
  const backend = info.backend === 'none' ? 'memory' : info.backend;
  if (!BASES.includes(info.name)) throw new Error(`${name} is not measured in process`);
  return { name, base: info.name, info, twin, backend, reference: `ours-${backend}` };
}

/** `ours-redis` → `ours-redis′`. */
export const twinOf = (name: string) => `${name}${TWIN_MARK}`;

/**
 * The variants to measure, in catalog order: the requested ones (all by default), plus ours and
 * its A/A twin on every backend requested, since every ratio and verdict needs both.
 */
export function selectVariants(requested?: readonly string[]): MicroVariant[] {
  const all = BASES.filter((name) => !OPT_IN.includes(name));
  const wanted = new Set(requested?.map((name) => describe(name).name) ?? all);
  for (const name of [...wanted]) {
    const { reference } = describe(name);
    wanted.add(reference).add(twinOf(reference));
  }
  const ordered = BASES.flatMap((base) => [base, twinOf(base)]);
  return ordered.filter((name) => wanted.has(name)).map(describe);
}
