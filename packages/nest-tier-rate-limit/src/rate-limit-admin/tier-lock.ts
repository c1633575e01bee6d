import type { EntityManager, FindOptionsWhere } from 'typeorm';
import { Tier } from '../rate-limit-rules/index.js';

/**
 * How a write holds the tier row until its transaction ends.
 *
 * - `attach` (`FOR SHARE`): a write that puts a rule on the tier (create, or a PATCH of `tierId`).
 *   Many may hold it at once; a delete of the tier waits for them, then sees their rules.
 * - `change` (`FOR UPDATE`): a write to the tier itself (update, delete). It waits for the
 *   attaching writes and they for it; one that waited re-reads the row and finds it deleted.
 */
export type TierLock = 'attach' | 'change';

/**
 * The live tier matching `where`, its row locked as `lock` says until the transaction ends, or
 * `null` when none is live (once any lock it waited for was released). Call it inside a
 * transaction (see `inWriteTransaction`), before writing anything that depends on the tier.
 * @example const tier = await lockLiveTier(manager, { id: dto.tierId }, 'attach');
 */
export function lockLiveTier(
  manager: EntityManager,
  where: FindOptionsWhere<Tier>,
  lock: TierLock,
): Promise<Tier | null> {
  const mode = lock === 'attach' ? 'pessimistic_read' : 'pessimistic_write';
  return manager.findOne(Tier, { where, lock: { mode } });
}
