import type { VariantName } from './catalog.js';
import { floor } from './floor.js';
import { none } from './none.js';
import { ours } from './ours.js';
import { oursTierRules } from './ours-tier-rules.js';
import { rlf } from './rlf.js';
import { throttler } from './throttler.js';
import type { VariantFactory } from './variant.js';

/** How each variant is wired into the bench app. */
export const VARIANT_FACTORIES: Readonly<Record<VariantName, VariantFactory>> = {
  none,
  floor,
  'ours-memory': ours('memory'),
  'ours-redis': ours('redis'),
  'ours-memcached': ours('memcached'),
  'ours-tier-rules': oursTierRules,
  'throttler-memory': throttler('memory'),
  'throttler-redis': throttler('redis'),
  'rlf-memory': rlf('memory'),
  'rlf-redis': rlf('redis'),
  'rlf-redis-pipelined': rlf('redis', { autoPipelining: true }),
  'rlf-memcached': rlf('memcached'),
};
