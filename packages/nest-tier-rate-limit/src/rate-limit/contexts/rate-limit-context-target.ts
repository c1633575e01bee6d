import type { ExecutionContext } from '@nestjs/common';
import type { RateLimitCaller } from '../rate-limit-caller.js';
import type { RateLimitDecision } from '../rate-limit-decision.js';

/**
 * What the guard counts for one call that is not an HTTP route: who calls, on which counter
 * path, and how a refusal is told. The guard builds it itself for GraphQL resolvers and
 * WebSocket message handlers; a {@link RateLimitContextResolver} builds it for other contexts.
 */
export interface RateLimitContextTarget {
  /** The caller, when the call has one; else {@link tracker} counts it. */
  caller?: RateLimitCaller;
  /** Who an anonymous call counts under: a client address, a device id. Never empty. */
  tracker: string;
  /**
   * The counter path, as rules name it (`Query.widgets`, `orders.created`). Take it from the
   * handler or the transport's pattern, never from the message: each distinct path is a fresh
   * counter.
   */
  path: string;
  /**
   * The error a refusal throws, as the transport reports errors (an `RpcException`, say).
   * @default a `RateLimitExceededException` (an HTTP 429)
   */
  refusal?: (decision: RateLimitDecision) => Error;
}

/**
 * Reads a {@link RateLimitContextTarget} from an execution context the guard does not know
 * itself (a microservice message, a custom transport), or `undefined` to let the call through.
 * Called for every context that is not HTTP; an answer for a GraphQL or WebSocket context
 * replaces the guard's own reading of it.
 * @example
 * ```ts
 * contextResolver: (context) =>
 *   context.getType() === 'rpc'
 *     ? { tracker: context.switchToRpc().getContext().getSubject(), path: 'orders.created',
 *         refusal: (decision) => new RpcException(`retry in ${decision.retryAfterSeconds} s`) }
 *     : undefined,
 * ```
 */
export type RateLimitContextResolver = (
  context: ExecutionContext,
) => RateLimitContextTarget | undefined;
