import type { RateLimitDecision } from '../rate-limit-decision.js';

// On what lives as long as the response (a GraphQL operation's context value): what it shows.
const SHOWN = Symbol('rateLimitShown');

interface WithShown {
  [SHOWN]?: RateLimitDecision;
}

/**
 * Whether a response should show `decision` when several decisions fall on it (the limited
 * fields of one GraphQL operation): a refusal over a pass, else the fewer requests left, else
 * the longer wait. `replacing` is the decision a refund settled, which the settled one may
 * always replace. `value` is what lives as long as the response.
 */
export function showsOnResponse(
  value: object,
  decision: RateLimitDecision,
  replacing?: RateLimitDecision,
): boolean {
  const shown = (value as WithShown)[SHOWN];
  const shows =
    shown === undefined ||
    shown === replacing ||
    (shown.allowed && !decision.allowed) ||
    (shown.allowed === decision.allowed &&
      (decision.allowed
        ? decision.remaining < shown.remaining
        : decision.retryAfterSeconds >= shown.retryAfterSeconds));
  if (shows) (value as WithShown)[SHOWN] = decision;
  return shows;
}
