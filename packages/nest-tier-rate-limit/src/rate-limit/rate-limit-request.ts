import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** The fields the limiter reads from an Express or Fastify request. */
export interface RateLimitedRequest {
  /** Express: the URL as received; Fastify has it too. */
  originalUrl?: string;
  url?: string;
  /** Fastify: the Node request underneath. */
  raw?: IncomingMessage;
  /** The matched route's parameters, as the framework decoded them. */
  params?: unknown;
  /** Express: the matched route. */
  route?: { path?: unknown };
  /** Fastify: the matched route. */
  routeOptions?: { url?: string };
}

// On the execution context, which Nest creates once for all the guards of a request (global,
// class and method). A WeakMap entry per request, or a property on a Node request, cost 15-25 % of
// a memory-store decision (bench:micro); a property on the context, whose class is Nest's, does not.
const DECISION = Symbol('rateLimitDecision');

interface WithDecision {
  [DECISION]?: RateLimitDecision;
}

/**
 * What the rate-limit guard decided in this execution context, or `undefined` when it has not
 * counted the request: for guards that run after it on the same route.
 */
export function rateLimitDecisionOf(context: ExecutionContext): RateLimitDecision | undefined {
  return (context as WithDecision)[DECISION];
}

/** Records the guard's decision: the request is counted once, whatever guards it twice. */
export function recordRateLimitDecision(
  context: ExecutionContext,
  decision: RateLimitDecision,
): void {
  (context as WithDecision)[DECISION] = decision;
}

// On the request itself, only for routes that settle after the handler: the interceptor gets an
// execution context of its own, and the request is what it shares with the guard.
const SETTLEMENT = Symbol('rateLimitSettlement');

/** A decision the interceptor is to settle once the handler has answered. */
export interface RateLimitSettlement {
  decision: RateLimitDecision;
  /** Which answers keep their hit. */
  count: 'failed' | 'successful';
}

interface WithSettlement {
  [SETTLEMENT]?: RateLimitSettlement;
}

/** Leaves a decision for the interceptor to settle. */
export function recordRateLimitSettlement(request: object, settlement: RateLimitSettlement): void {
  (request as WithSettlement)[SETTLEMENT] = settlement;
}

/** The decision left to settle on this request, handed out once. */
export function takeRateLimitSettlement(request: object): RateLimitSettlement | undefined {
  const settlement = (request as WithSettlement)[SETTLEMENT];
  if (settlement !== undefined) (request as WithSettlement)[SETTLEMENT] = undefined;
  return settlement;
}

/** The route template the framework matched (`/api/v1/widgets/:id`), when it knows one. */
export function routeTemplate(request: RateLimitedRequest): string | undefined {
  const express = request.route?.path;
  if (typeof express === 'string') return express;
  return request.routeOptions?.url;
}

/** The Node request: Fastify wraps it, Express extends it. */
export function rawRequest(request: RateLimitedRequest): IncomingMessage {
  return request.raw ?? (request as unknown as IncomingMessage);
}
