import type { DataSource, EntityManager } from 'typeorm';

/** Per one-session data source, the end of its queue of writes (see {@link inWriteTransaction}). */
const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs one admin write, `work`, in a transaction of its own (`READ COMMITTED`) and answers what
 * it answered, once committed. A throw rolls the transaction back and is rethrown as it came, so
 * `rethrowConflict` and the 503 mapping see the driver's own error. The rule cache is reloaded by
 * the caller, after this resolves: never from inside the transaction.
 *
 * On a data source whose query runners all share one database session (PGlite through
 * `typeorm-pglite`), the database cannot keep concurrent transactions apart: row locks never
 * wait, and one write's ROLLBACK would undo another's statements. There the writes run one at a
 * time, in call order; `work` must not start another write, or it would wait for itself.
 * @example await inWriteTransaction(this.tiers.manager, (manager) => manager.save(tier))
 */
export function inWriteTransaction<T>(
  manager: EntityManager,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const { dataSource } = manager;
  // The re-checks after a lock wait need each statement to see what committed before it.
  const run = () => dataSource.transaction('READ COMMITTED', work);
  if (!sharesOneSession(dataSource)) return run();
  const result = (queues.get(dataSource) ?? Promise.resolve()).then(run);
  // A failed write must not stop the ones queued after it.
  const settled = result.catch(() => undefined);
  queues.set(dataSource, settled);
  return result;
}

/**
 * TypeORM loads `pg` (a pool of sessions) itself unless the options name a driver module, as
 * `typeorm-pglite` does. Any such module is taken to share one session: queueing is never wrong,
 * only slower.
 */
function sharesOneSession(dataSource: DataSource): boolean {
  return (dataSource.options as { driver?: unknown }).driver !== undefined;
}
