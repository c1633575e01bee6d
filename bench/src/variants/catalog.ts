import type { ScenarioName } from '../scenarios.js';

/** The names of the guards compared; `none` is the unprotected route every ratio divides by. */
export type VariantName =
  | 'none'
  | 'floor'
  | 'floor-inputs'
  | 'ours-memory'
  | 'ours-redis'
  | 'ours-memcached'
  | 'throttler-memory'
  | 'throttler-redis'
  | 'rlf-memory'
  | 'rlf-redis'
  | 'rlf-redis-pipelined'
  | 'rlf-memcached'
  | 'ours-tier-rules'
  | 'ours-memory-baseline'
  | 'ours-memory-sliding'
  | 'ours-memory-gcra'
  | 'ours-redis-sliding'
  | 'ours-redis-gcra'
  | 'ours-memcached-sliding'
  | 'ours-memcached-gcra'
  | `ours-${'memory' | 'redis' | 'memcached'}-policies-${2 | 3}`
  | `ours-${'redis' | 'memcached'}-no-deny-cache`;

/** What the report says about a variant, and which backend its counters live in. */
export interface VariantInfo {
  readonly name: VariantName;
  readonly backend: 'none' | 'memory' | 'redis' | 'memcached';
  /** Whose code it is: the runner compares ours with the peers on the same backend. */
  readonly owner: 'none' | 'reference' | 'ours' | 'throttler' | 'rlf';
  /** What it is, for the report's legend. */
  readonly label: string;
}

const info = (
  name: VariantName,
  owner: VariantInfo['owner'],
  backend: VariantInfo['backend'],
  label: string,
): VariantInfo => ({ name, owner, backend, label });

/** Every variant, in the order each round runs them. */
export const VARIANTS: readonly VariantInfo[] = [
  info('none', 'none', 'none', 'no guard'),
  info(
    'floor',
    'reference',
    'none',
    'an async guard writing three constant headers, counting nothing: the ceiling for any guard',
  ),
  info(
    'floor-inputs',
    'reference',
    'none',
    '`floor` that first reads the caller header and the URL into a key: what a limiter pays before it counts',
  ),
  info('ours-memory', 'ours', 'memory', 'this project, `store: memory`'),
  info('ours-redis', 'ours', 'redis', 'this project, `store: redis`'),
  info('ours-memcached', 'ours', 'memcached', 'this project, `store: memcached`'),
  info('throttler-memory', 'throttler', 'memory', '`@nestjs/throttler` 6.7.1, default storage'),
  info(
    'throttler-redis',
    'throttler',
    'redis',
    '`@nestjs/throttler` 6.7.1 + `@nest-lab/throttler-storage-redis` 1.2.0',
  ),
  info('rlf-memory', 'rlf', 'memory', '`rate-limiter-flexible` 11.4.0 `RateLimiterMemory`'),
  info('rlf-redis', 'rlf', 'redis', '`rate-limiter-flexible` 11.4.0 `RateLimiterRedis`'),
  info(
    'rlf-redis-pipelined',
    'rlf',
    'redis',
    '`rlf-redis` with ioredis `enableAutoPipelining: true` (this project writes every check at once)',
  ),
  info('rlf-memcached', 'rlf', 'memcached', '`rate-limiter-flexible` 11.4.0 `RateLimiterMemcache`'),
  info(
    'ours-tier-rules',
    'ours',
    'memory',
    'this project, `store: memory`, rules from the database (`RateLimitRulesModule`, PGlite)',
  ),
  info(
    'ours-memory-baseline',
    'reference',
    'memory',
    'this project, `store: memory`, as built at an earlier commit (`bench:micro --baseline`)',
  ),
  ...(['memory', 'redis', 'memcached'] as const).flatMap((store) =>
    (['sliding-window', 'gcra'] as const).map((algorithm) =>
      info(
        `ours-${store}-${algorithm === 'gcra' ? 'gcra' : 'sliding'}`,
        'ours',
        store,
        `this project, \`store: ${store}\`, \`defaultAlgorithm: '${algorithm}'\``,
      ),
    ),
  ),
  ...(['memory', 'redis', 'memcached'] as const).flatMap((store) =>
    ([2, 3] as const).map((count) =>
      info(
        `ours-${store}-policies-${count}`,
        'ours',
        store,
        `this project, \`store: ${store}\`, ${count} policies per request decided at once (${
          count === 2
            ? 'the route and a total budget'
            : 'the route, a sustained window and a total budget'
        }; only the first ever refuses)`,
      ),
    ),
  ),
  ...(['redis', 'memcached'] as const).map((store) =>
    info(
      `ours-${store}-no-deny-cache`,
      'ours',
      store,
      `this project, \`store: ${store}\`, \`localDenyCache: false\` (every refused request asks the store)`,
    ),
  ),
];

/** Variants of `bench:micro` alone: the e2e rounds never run them. */
export const MICRO_ONLY: readonly VariantName[] = [
  'ours-memory-baseline',
  'ours-memory-sliding',
  'ours-memory-gcra',
  'ours-redis-sliding',
  'ours-redis-gcra',
  'ours-memcached-sliding',
  'ours-memcached-gcra',
  ...(['memory', 'redis', 'memcached'] as const).flatMap((store) =>
    ([2, 3] as const).map((count): VariantName => `ours-${store}-policies-${count}`),
  ),
  'ours-redis-no-deny-cache',
  'ours-memcached-no-deny-cache',
];

/** Measured only when asked for (`--baseline`). */
export const OPT_IN: readonly VariantName[] = ['ours-memory-baseline'];

/** The variants the e2e rounds run (and their report lists). */
export const E2E_VARIANTS: readonly VariantInfo[] = VARIANTS.filter(
  (variant) => !MICRO_ONLY.includes(variant.name),
);

/** The variant named `name`; throws on an unknown name. */
export function variantInfo(name: string): VariantInfo {
  const found = VARIANTS.find((variant) => variant.name === name);
  if (found === undefined) throw new Error(`Unknown variant ${name}`);
  return found;
}

/** The variants a scenario compares: `tier-rules` is this project's alone. */
export function variantsFor(scenario: ScenarioName): VariantName[] {
  if (scenario === 'tier-rules') return ['none', 'ours-memory', 'ours-tier-rules'];
  if (scenario === 'soak') return ['ours-memory'];
  return E2E_VARIANTS.filter((variant) => variant.name !== 'ours-tier-rules').map((v) => v.name);
}

/**
 * The A/A twins: each runs a second time in every round and scenario, last, in a process of its
 * own. A twin's req/s over its original's is what identical code measures against itself.
 */
export const AA_TWINS: readonly VariantName[] = ['ours-memory', 'none'];

/** How the report and the log name a run: `none`, or `none′` for its A/A twin. */
export const runName = (variant: VariantName, twin = false) => (twin ? `${variant}′` : variant);
