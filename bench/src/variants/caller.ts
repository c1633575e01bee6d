import type { RateLimitCaller } from 'nest-tier-rate-limit';
import { CALLER_HEADER, TIER_HEADER } from '../scenarios.js';

interface HeaderBag {
  headers: Record<string, string | string[] | undefined>;
}

/** A request header as one string; `undefined` when absent or repeated. */
export function header(request: unknown, name: string): string | undefined {
  const value = (request as HeaderBag).headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** This project's caller resolver for the bench: the caller header, no tier. */
export function callerFromHeader(request: unknown): RateLimitCaller | undefined {
  const id = header(request, CALLER_HEADER);
  return id === undefined ? undefined : { id, tierId: null, isSuperuser: false };
}

/** The same, with the tier read from the tier header (`tier-rules`). */
export function tieredCallerFromHeaders(request: unknown): RateLimitCaller | undefined {
  const caller = callerFromHeader(request);
  const tier = Number(header(request, TIER_HEADER));
  return caller && { ...caller, tierId: Number.isSafeInteger(tier) ? tier : null };
}
