import type { VariantName } from './catalog.js';
import { floor, floorInputs } from './floor.js';
import { none } from './none.js';
import { ours } from './ours.js';
import { oursBaseline } from './ours-baseline.js';
import { oursPolicies } from './ours-policies.js';
import { oursTierRules } from './ours-tier-rules.js';
import { rlf } from './rlf.js';
import { throttler } from './throttler.js';
import type { VariantFactory } from './variant.js';

/** How each variant is wired into the bench app. */
export const VARIANT_FACTORIES: Readonly<Record<VariantName, VariantFactory>> = {
  none,
  floor,
  'floor-inputs': floorInputs,
  'ours-memory': ours('memory'),
  'ours-redis': ours('redis'),
  'ours-memcached': ours('memcached'),
  'ours-tier-rules': oursTierRules,
  'ours-memory-baseline': oursBaseline,
  'ours-memory-sliding': ours('memory', undefined, 'sliding-window'),
  'ours-memory-gcra': ours('memory', undefined, 'gcra'),
  'ours-redis-sliding': ours('redis', undefined, 'sliding-window'),
  'ours-redis-gcra': ours('redis', undefined, 'gcra'),
  'ours-memcached-sliding': ours('memcached', undefined, 'sliding-window'),
  'ours-memcached-gcra': ours('memcached', undefined, 'gcra'),
  'ours-memory-policies-2': oursPolicies('memory', 2),
  'ours-memory-policies-3': oursPolicies('memory', 3),
  'ours-redis-policies-2': oursPolicies('redis', 2),
  'ours-redis-policies-3': oursPolicies('redis', 3),
  'ours-memcached-policies-2': oursPolicies('memcached', 2),
  'ours-memcached-policies-3': oursPolicies('memcached', 3),
  'ours-redis-no-deny-cache': ours('redis', undefined, undefined, { localDenyCache: false }),
  'ours-memcached-no-deny-cache': ours('memcached', undefined, undefined, {
    localDenyCache: false,
  }),
  'throttler-memory': throttler('memory'),
  'throttler-redis': throttler('redis'),
  'rlf-memory': rlf('memory'),
  'rlf-redis': rlf('redis'),
  'rlf-redis-pipelined': rlf('redis', { autoPipelining: true }),
  'rlf-memcached': rlf('memcached'),
};
