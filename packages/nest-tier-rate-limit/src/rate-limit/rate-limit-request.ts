import type { IncomingMessage } from 'node:http';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** Property under which the guard keeps its decision on the request (counted once per request). */
export const RATE_LIMIT_DECISION = Symbol('rateLimitDecision');

/** The fields the limiter reads from an Express or Fastify request. */
export interface RateLimitedRequest {
  [RATE_LIMIT_DECISION]?: RateLimitDecision;
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
