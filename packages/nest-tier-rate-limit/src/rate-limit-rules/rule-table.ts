import type { RateLimitAlgorithm, RateLimitRule } from '../rate-limit/index.js';
import { sanitizePath } from '../rate-limit/index.js';

/** The fields of a stored rule that rule resolution needs. */
export interface RuleRow {
  tierId: number;
  path: string;
  limit: number;
  period: number;
  /** Absent in rows built before rules had one: the fixed window. */
  algorithm?: RateLimitAlgorithm;
  burst?: number | null;
}

/**
 * Live rules indexed by tier, then path, with each rule's answer built once, so that matching a
 * request allocates nothing.
 */
export class RuleTable {
  private readonly byTier = new Map<number, Map<string, RateLimitRule>>();

  constructor(rows: readonly RuleRow[]) {
    for (const row of rows) {
      let paths = this.byTier.get(row.tierId);
      if (paths === undefined)
        this.byTier.set(row.tierId, (paths = new Map<string, RateLimitRule>()));
      // The counter is keyed on the rule's path, so a template rule gives all ids one counter.
      paths.set(row.path, {
        limit: row.limit,
        period: row.period,
        algorithm: row.algorithm ?? 'fixed-window',
        burst: row.burst ?? undefined,
        keyPath: sanitizePath(row.path),
      });
    }
  }

  /** Rules held. */
  get size(): number {
    let size = 0;
    for (const paths of this.byTier.values()) size += paths.size;
    return size;
  }

  /**
   * The tier's rule for a request: by sanitized URL path, then sanitized route template, then
   * the path as received.
   */
  match(
    tierId: number,
    path: string,
    template: string | undefined,
    rawPath: string,
  ): RateLimitRule | undefined {
    const paths = this.byTier.get(tierId);
    if (paths === undefined) return undefined;
    return (
      paths.get(path) ??
      (template === undefined ? undefined : paths.get(template)) ??
      paths.get(rawPath)
    );
  }
}
