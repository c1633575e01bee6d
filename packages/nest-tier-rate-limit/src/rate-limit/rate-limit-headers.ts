import type { ServerResponse } from 'node:http';
import type { HttpServer } from '@nestjs/common';
import { IetfRateLimitHeader, ietfPolicyField, ietfStateField } from './ietf-headers.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import type { RateLimitHeaderMode } from './rate-limit-options.js';

/** Names of the headers the limiter writes. */
export const RateLimitHeader = {
  Limit: 'X-RateLimit-Limit',
  Remaining: 'X-RateLimit-Remaining',
  Reset: 'X-RateLimit-Reset',
  RetryAfter: 'Retry-After',
} as const;

/** Sets one header on a framework response. */
export type SetResponseHeader = (response: unknown, name: string, value: string) => void;

const setNodeHeader: SetResponseHeader = (response, name, value) => {
  (response as ServerResponse).setHeader(name, value);
};

/**
 * How to set a header through this adapter, chosen once. An Express response is a Node response,
 * and `res.set` adds only content-type handling to `setHeader` (about 5 % of a decision on the
 * memory store, measured in bench:micro); any other adapter is asked to set it.
 */
export function responseHeaderSetter(adapter: HttpServer): SetResponseHeader {
  if (adapter.getType() === 'express') return setNodeHeader;
  return (response, name, value) => {
    adapter.setHeader(response, name, value);
  };
}

/**
 * Writes a decision's headers with `setHeader` (see {@link responseHeaderSetter}): the legacy
 * `X-RateLimit-*` trio for the policy the decision describes, the IETF fields for every policy,
 * both or none, as `mode` says; `Retry-After` on every refusal. A degraded decision knows no
 * counts, so it writes only `Retry-After` on refusal.
 */
export function writeRateLimitHeaders(
  setHeader: SetResponseHeader,
  response: unknown,
  decision: RateLimitDecision,
  mode: RateLimitHeaderMode = 'legacy',
): void {
  if (!decision.degraded && mode !== 'none') {
    if (mode !== 'ietf') {
      setHeader(response, RateLimitHeader.Limit, String(decision.limit));
      setHeader(response, RateLimitHeader.Remaining, String(decision.remaining));
      setHeader(response, RateLimitHeader.Reset, String(decision.resetSeconds));
    }
    if (mode !== 'legacy' && decision.policies.length > 0) {
      setHeader(response, IetfRateLimitHeader.Policy, ietfPolicyField(decision.policies));
      setHeader(response, IetfRateLimitHeader.State, ietfStateField(decision.policies));
    }
  }
  if (!decision.allowed) {
    setHeader(response, RateLimitHeader.RetryAfter, String(decision.retryAfterSeconds));
  }
}

/**
 * {@link writeRateLimitHeaders}, unless the response has gone out already (a handler that
 * answered by itself, a deferred GraphQL payload): headers that can no longer be written must
 * not replace the answer.
 */
export function writeHeadersIfUnsent(
  setHeader: SetResponseHeader,
  response: unknown,
  decision: RateLimitDecision,
  mode: RateLimitHeaderMode = 'legacy',
): void {
  const state = response as { headersSent?: boolean; sent?: boolean };
  // Express and Node say `headersSent`, Fastify `sent`.
  if (state.headersSent === true || state.sent === true) return;
  try {
    writeRateLimitHeaders(setHeader, response, decision, mode);
  } catch {
    // Sent meanwhile: the decision stands without its headers.
  }
}
