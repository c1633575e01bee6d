/** What became of a request under one policy, as `ratelimit_decisions_total` labels it. */
export const DECISION_OUTCOMES = ['allowed', 'limited', 'shadow_limited', 'degraded'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** Index of each outcome in a tally's counts. */
export const Outcome = { allowed: 0, limited: 1, shadowLimited: 2, degraded: 3 } as const;

/** The label value standing for every series past the bound. */
export const OVERFLOW_LABEL = 'other';

/** One series group: a policy and tier, with a count per outcome and what was last reported. */
interface Tally {
  policy: string;
  tier: string;
  counts: Float64Array;
  reported: Float64Array;
}

/**
 * Decisions counted per policy, tier and outcome with no allocation per request (nested maps of
 * preallocated counts), reported to Prometheus at scrape time. At most `maxSeries` policy-tier
 * pairs: past that, decisions count under `other`, so no caller can grow the series without bound.
 */
export class DecisionTally {
  private readonly byPolicy = new Map<string, Map<string | number, Tally>>();
  private readonly all: Tally[] = [];
  private overflow: Tally | undefined;

  constructor(private readonly maxSeries = 1000) {}

  /** Counts one decision of `policy` for a caller of `tier` (`undefined`: none). */
  count(policy: string, tier: string | number | undefined, outcome: number): void {
    const tiers = this.byPolicy.get(policy);
    let tally = tiers?.get(tier ?? '');
    if (tally === undefined) tally = this.open(policy, tier, tiers);
    tally.counts[outcome] += 1;
  }

  /** Calls `report` with what each series gained since the last call. */
  drain(report: (policy: string, tier: string, outcome: DecisionOutcome, gained: number) => void) {
    for (const tally of this.all) {
      for (let index = 0; index < DECISION_OUTCOMES.length; index += 1) {
        const gained = tally.counts[index] - tally.reported[index];
        if (gained === 0) continue;
        tally.reported[index] = tally.counts[index];
        report(tally.policy, tally.tier, DECISION_OUTCOMES[index], gained);
      }
    }
  }

  /** Series held, the overflow one included. */
  get size(): number {
    return this.all.length;
  }

  private open(
    policy: string,
    tier: string | number | undefined,
    tiers: Map<string | number, Tally> | undefined,
  ): Tally {
    if (this.all.length >= this.maxSeries) {
      this.overflow ??= this.create(OVERFLOW_LABEL, OVERFLOW_LABEL);
      return this.overflow;
    }
    if (tiers === undefined) this.byPolicy.set(policy, (tiers = new Map<string | number, Tally>()));
    const tally = this.create(policy, tier === undefined ? 'none' : String(tier));
    tiers.set(tier ?? '', tally);
    return tally;
  }

  private create(policy: string, tier: string): Tally {
    const size = DECISION_OUTCOMES.length;
    const tally = {
      policy,
      tier,
      counts: new Float64Array(size),
      reported: new Float64Array(size),
    };
    this.all.push(tally);
    return tally;
  }
}
