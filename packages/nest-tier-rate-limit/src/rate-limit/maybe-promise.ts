/** A value, or a promise of it: what a step returns when it answers at once where it can. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Whether a step answered with a promise (or another thenable) rather than the value itself. */
export function isPromiseLike<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
