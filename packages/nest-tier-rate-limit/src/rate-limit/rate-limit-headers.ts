import type { HttpServer } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** Names of the headers the limiter writes. */
export const RateLimitHeader = {
  Limit: 'X-RateLimit-Limit',
  Remaining: 'X-RateLimit-Remaining',
  Reset: 'X-RateLimit-Reset',
  RetryAfter: 'Retry-After',
} as const;

/**
 * Writes a decision's headers through the HTTP adapter (Express and Fastify alike).
 * A degraded decision knows no counts, so it writes only `Retry-After` on refusal.
 */
export function writeRateLimitHeaders(
  adapter: HttpServer,
  response: unknown,
  decision: RateLimitDecision,
): void {
  if (!decision.degraded) {
    adapter.setHeader(response, RateLimitHeader.Limit, String(decision.limit));
    adapter.setHeader(response, RateLimitHeader.Remaining, String(decision.remaining));
    adapter.setHeader(response, RateLimitHeader.Reset, String(decision.resetSeconds));
  }
  if (!decision.allowed) {
    adapter.setHeader(response, RateLimitHeader.RetryAfter, String(decision.retryAfterSeconds));
  }
}
