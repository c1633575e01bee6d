import { type CanActivate, type ExecutionContext, HttpException } from '@nestjs/common';

/**
 * One decision: `true` when the guard lets the request through, `false` when it refuses it
 * (a thrown `HttpException`, which Nest turns into the 429). Anything else is a bench failure.
 */
export async function decide(guard: CanActivate, context: ExecutionContext): Promise<boolean> {
  try {
    const verdict = guard.canActivate(context);
    if (typeof verdict !== 'boolean' && !(verdict instanceof Promise))
      throw new Error('The guard returned an Observable: not measured in process');
    return await verdict;
  } catch (error) {
    if (error instanceof HttpException) return false;
    throw error;
  }
}

/** Runs the decisions one after the other, as requests on one connection; returns the refusals. */
export async function decideAll(
  guard: CanActivate,
  contexts: readonly ExecutionContext[],
): Promise<number> {
  let refused = 0;
  for (const context of contexts) if (!(await decide(guard, context))) refused += 1;
  return refused;
}

/**
 * The same with up to `inFlight` decisions awaiting at once (as concurrent requests would);
 * `inFlight` 1 is {@link decideAll}.
 */
export async function decideInFlight(
  guard: CanActivate,
  contexts: readonly ExecutionContext[],
  inFlight: number,
): Promise<number> {
  if (inFlight <= 1) return decideAll(guard, contexts);
  let refused = 0;
  let next = 0;
  const lane = async () => {
    while (next < contexts.length) if (!(await decide(guard, contexts[next++]))) refused += 1;
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, contexts.length) }, lane));
  return refused;
}
