/** Request header naming the caller: every variant keys on it plus the path. */
export const CALLER_HEADER = 'x-caller-id';

/** Request header naming the caller's tier (`tier-rules` only). */
export const TIER_HEADER = 'x-tier-id';

/** The one guarded route, as requested (`GET /api/v1/widgets/:id`, matching the seeded rules). */
export const GUARDED_PATH = '/api/v1/widgets/1';

/** The unguarded route the runner reads the app's counters from (and polls until it is up). */
export const STATS_PATH = '/bench/stats';

/** Limits the tier rules are raised to in `tier-rules`, so that no request is refused. */
export const TIER_LIMITS: Readonly<Record<number, number>> = { 1: 900_000_000, 2: 1_000_000_000 };

/** The names of the load scenarios. */
export type ScenarioName = 'allow' | 'deny' | 'many-keys' | 'tier-rules' | 'soak';

/** One load scenario: the limit the guards enforce and who calls. */
export interface Scenario {
  readonly name: ScenarioName;
  /** Requests allowed per period and caller. */
  readonly limit: number;
  /** Window length in seconds. */
  readonly periodSeconds: number;
  /** Distinct callers, cycled through; `Infinity`: every request is a new caller. */
  readonly callers: number;
  /** Whether callers carry a tier (1 or 2, alternating) in {@link TIER_HEADER}. */
  readonly tiers: boolean;
  /** One line for the report. */
  readonly summary: string;
}

/** Every scenario, by name. */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  allow: {
    name: 'allow',
    limit: 1_000_000_000,
    periodSeconds: 60,
    callers: 1,
    tiers: false,
    summary: 'one caller, limit 10⁹ per 60 s: never reached',
  },
  deny: {
    name: 'deny',
    limit: 1,
    periodSeconds: 60,
    callers: 1,
    tiers: false,
    summary: 'one caller, limit 1 per 60 s: nearly every request is a 429',
  },
  'many-keys': {
    name: 'many-keys',
    limit: 1_000_000_000,
    periodSeconds: 60,
    callers: 10_000,
    tiers: false,
    summary: '10,000 distinct callers in turn, limit 10⁹ per 60 s',
  },
  'tier-rules': {
    name: 'tier-rules',
    limit: 1_000_000_000,
    periodSeconds: 60,
    callers: 1_000,
    tiers: true,
    summary:
      '1,000 callers in turn, tiers 1 and 2 alternating; `ours-tier-rules` reads their limits ' +
      'from the rules in the database (raised to 9·10⁸ and 10⁹)',
  },
  soak: {
    name: 'soak',
    limit: 1_000_000_000,
    periodSeconds: 1,
    callers: Infinity,
    tiers: false,
    summary: 'every request a new caller, 1 s windows (memory soak only)',
  },
};

/** The scenarios of the timed rounds, in the order they run. */
export const TIMED_SCENARIOS: readonly ScenarioName[] = [
  'allow',
  'deny',
  'many-keys',
  'tier-rules',
];

/** The caller headers of the `index`-th request of a scenario. */
export function callerHeaders(scenario: Scenario, index: number): Record<string, string> {
  const n = Number.isFinite(scenario.callers) ? index % scenario.callers : index;
  const headers: Record<string, string> = { [CALLER_HEADER]: `caller-${n}` };
  if (scenario.tiers) headers[TIER_HEADER] = String(1 + (n % 2));
  return headers;
}
