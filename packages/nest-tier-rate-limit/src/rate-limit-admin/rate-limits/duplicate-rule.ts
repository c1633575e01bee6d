import { ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LIVE_RULE_PER_PERIOD_INDEX, RateLimit } from '../../rate-limit-rules/index.js';
import { uniqueViolation } from '../database-errors.js';
import { inWriteTransaction } from '../write-transaction.js';

/**
 * A write refused by {@link LIVE_RULE_PER_PERIOD_INDEX}: `rule` would repeat a live rule's tier,
 * path and period. Carried out of the transaction, which can read nothing once a statement failed.
 */
export class DuplicateRule extends Error {
  constructor(readonly rule: RateLimit) {
    super(`Rate limit repeats a live rule's tier, path and period`);
  }
}

/** Throws a violation of {@link LIVE_RULE_PER_PERIOD_INDEX} as a {@link DuplicateRule}. */
export function rethrowDuplicate(error: unknown, rule: RateLimit): void {
  if (uniqueViolation(error) === LIVE_RULE_PER_PERIOD_INDEX) throw new DuplicateRule(rule);
}

/**
 * Turns a {@link DuplicateRule} into a 409 naming the live rule it repeats, read once the write
 * rolled back (the rule it lost to has committed by then); rethrows anything else.
 */
export async function rethrowDuplicateConflict(
  error: unknown,
  manager: EntityManager,
): Promise<never> {
  if (!(error instanceof DuplicateRule)) throw error;
  const { tierId, path, period } = error.rule;
  // Queued with the writes: on one shared PGlite session, a read beside another write's failed
  // statement would fail too. A PATCHed rule's own row still holds its old values: never found.
  const existing = await inWriteTransaction(manager, (reader) =>
    reader.findOne(RateLimit, { where: { tierId, path, period }, select: { name: true } }),
  );
  const clash = `Tier ${tierId} already has a live rate limit for path ${path} and period ${period}`;
  // It may have been deleted since; the write still lost.
  throw new ConflictException(existing === null ? clash : `${clash}: "${existing.name}"`);
}
