import type { DynamicModule, INestApplication, Provider } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import {
  RATE_LIMIT_MODULE_OPTIONS,
  RateLimitModule,
  type RateLimitModuleOptions,
  RateLimitStore,
} from 'nest-tier-rate-limit';
import { VARIANT_FACTORIES } from '../variants/index.js';
import { RLF_LIMITER } from '../variants/rlf.guard.js';
import type { VariantFactory, VariantWiring } from '../variants/variant.js';

/** The in-memory stores whose memory per live key is measured. */
export type KeyVariant = 'ours-memory' | 'rlf-memory' | 'throttler-memory';

/** Every one of them, in report order. */
export const KEY_VARIANTS: readonly KeyVariant[] = [
  'ours-memory',
  'throttler-memory',
  'rlf-memory',
];

interface OptionsProvider {
  provide: unknown;
  useValue: RateLimitModuleOptions;
}

const isOptions = (provider: unknown): provider is OptionsProvider =>
  typeof provider === 'object' &&
  provider !== null &&
  (provider as OptionsProvider).provide === RATE_LIMIT_MODULE_OPTIONS;

/** `RateLimitModule.forRoot(options)` with `memory.maxKeys` set in its options. */
function withMaxKeys(entry: unknown, maxKeys: number): unknown {
  const module = entry as DynamicModule;
  if (module?.module !== RateLimitModule) return entry;
  const providers = (module.providers as unknown[] | undefined)?.map((provider) => {
    if (!isOptions(provider)) return provider;
    const options: RateLimitModuleOptions = provider.useValue;
    return { ...provider, useValue: { ...options, memory: { ...options.memory, maxKeys } } };
  });
  if (!providers?.some(isOptions)) throw new Error('RateLimitModule options not found');
  return { ...module, providers: providers as Provider[] };
}

/**
 * `ours-memory` as the bench wires it, with `memory.maxKeys` above the run's key count: at the
 * default (100,000) the store would evict, and its memory per key would be that of a capped
 * store, not a live key's.
 */
const oursWithRoom =
  (maxKeys: number): VariantFactory =>
  (context) => {
    const wiring = VARIANT_FACTORIES['ours-memory'](context);
    const imports = wiring.imports?.map((entry) => withMaxKeys(entry, maxKeys));
    if (!imports?.some((entry, i) => entry !== wiring.imports?.[i]))
      throw new Error('ours-memory imports no RateLimitModule.forRoot: maxKeys not set');
    return { ...wiring, imports: imports as VariantWiring['imports'] };
  };

/** The wiring of a variant for a run of `keys` distinct callers (the peers have no cap). */
export function keyVariantFactory(variant: KeyVariant, keys: number): VariantFactory {
  return variant === 'ours-memory' ? oursWithRoom(2 * keys) : VARIANT_FACTORIES[variant];
}

interface Sized {
  size?: unknown;
}

// Each library's own map of counters; read defensively, as these are (mostly) internals.
const STORES: Readonly<Record<KeyVariant, (app: INestApplication) => Sized | undefined>> = {
  'ours-memory': (app) => app.get<unknown, Sized>(RateLimitStore, { strict: false }),
  'throttler-memory': (app) =>
    app.get<symbol, { storage?: Sized }>(ThrottlerStorage, { strict: false }).storage,
  'rlf-memory': (app) =>
    app.get<symbol, { _memoryStorage?: { _storage?: Sized } }>(RLF_LIMITER, { strict: false })
      ._memoryStorage?._storage,
};

/** How many keys the variant's store holds, when it can be read. */
export function storeSize(variant: KeyVariant, app: INestApplication): number | undefined {
  const size = STORES[variant](app)?.size;
  return typeof size === 'number' ? size : undefined;
}
