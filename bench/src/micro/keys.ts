import { SCENARIOS, type Scenario } from '../scenarios.js';
import { decideMany, openGuardHost, type ServerPorts } from './guard-host.js';
import { collectGarbage } from './heap.js';
import { type KeyVariant, keyVariantFactory, storeSize } from './keys-wiring.js';

/** Memory of a store holding `keys` live keys, from one fresh process. */
export interface KeysResult {
  variant: KeyVariant;
  keys: number;
  /** Distinct callers before the baseline reading (JIT and pools warm); in the store too. */
  warmKeys: number;
  /** `heapUsed` after − before, over `keys`, bytes per key. */
  heapPerKey: number;
  /** RSS after − before, over `keys`, bytes per key. */
  rssPerKey: number;
  /** Keys the store reports holding at the end (`warmKeys + keys` when nothing expired). */
  storeKeys: number | undefined;
  seconds: number;
  /** Window length: every key stays live when `seconds` is below it. */
  periodSeconds: number;
  refused: number;
}

const WARM_KEYS = 2000;

/** `many-keys`' limit and 60 s period, but every request a new caller. */
const SCENARIO: Scenario = {
  ...SCENARIOS['many-keys'],
  callers: Infinity,
  summary: 'every request a new caller, 60 s windows',
};

const memory = () => {
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
};

/**
 * Sends `keys` distinct callers through the variant's guard, in process, and reads how much
 * heap and resident memory stayed behind after full collections: bytes per live key.
 */
export async function memoryPerKey(
  variant: KeyVariant,
  keys: number,
  ports: ServerPorts,
): Promise<KeysResult> {
  // Shared-shape requests: six times faster to build, and no store keeps any of a request.
  const factory = keyVariantFactory(variant, keys);
  const host = await openGuardHost(variant, factory, SCENARIO, ports, true);
  try {
    await decideMany(host, WARM_KEYS);
    const before = memory();
    const started = performance.now();
    const refused = await decideMany(host, keys);
    const seconds = (performance.now() - started) / 1000;
    const after = memory();
    return {
      variant,
      keys,
      warmKeys: WARM_KEYS,
      heapPerKey: (after.heapUsed - before.heapUsed) / keys,
      rssPerKey: (after.rss - before.rss) / keys,
      storeKeys: storeSize(variant, host.app),
      seconds,
      periodSeconds: SCENARIO.periodSeconds,
      refused,
    };
  } finally {
    await host.close();
  }
}
