import type { RateLimitDecision } from '../rate-limit-decision.js';

/** What the guard reads of a GraphQL context value (`@Context()`), whichever driver made it. */
export interface GraphqlContextValue {
  /** The HTTP request: Nest's Apollo and Mercurius drivers set it. */
  req?: unknown;
  /** Apollo on Express: the response, when the app's `context` returns it. */
  res?: unknown;
  /** Mercurius (and Apollo on Fastify, when the app's `context` returns it): the reply. */
  reply?: { request?: unknown };
  /** graphql-ws subscriptions: the upgrade request. */
  extra?: { request?: unknown };
}

/** What the guard reads of a resolver's `info`. */
export interface GraphqlFieldInfo {
  fieldName: string;
  parentType: { name: string };
}

/** The HTTP request behind a GraphQL operation, if it has one. */
export function graphqlRequest(value: GraphqlContextValue | undefined): object | undefined {
  const request = value?.req ?? value?.reply?.request ?? value?.extra?.request;
  return typeof request === 'object' && request !== null ? request : undefined;
}

/**
 * The HTTP response a GraphQL operation answers on, if it can be reached: `res`, Mercurius'
 * `reply`, or Express' `req.res`. Subscriptions have none.
 */
export function graphqlResponse(value: GraphqlContextValue | undefined): object | undefined {
  const response = value?.res ?? value?.reply ?? (value?.req as { res?: unknown } | undefined)?.res;
  return typeof response === 'object' && response !== null ? response : undefined;
}

// On the context value, which lives as long as one operation: what its response shows so far.
const SHOWN = Symbol('rateLimitShown');

interface WithShown {
  [SHOWN]?: RateLimitDecision;
}

/**
 * Whether the response of an operation should show `decision`, several of whose fields may be
 * limited: a refusal over a pass, else the fewer requests left, else the longer wait. `replacing`
 * is the decision a refund settled, whose headers the settled one may always replace.
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
