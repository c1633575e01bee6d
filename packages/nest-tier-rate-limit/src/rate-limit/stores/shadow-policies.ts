import type { RateLimitHit, RateLimitPolicyCheck } from './rate-limit-store.js';

/**
 * Whether `hit` refuses the request it belongs to: a limited hit of a policy that is not a shadow
 * one (see {@link RateLimitPolicyCheck.shadow}).
 */
export function refuses(policy: Pick<RateLimitPolicyCheck, 'shadow'>, hit: RateLimitHit): boolean {
  return hit.limited && policy.shadow !== true;
}

/**
 * The hit of a shadow policy that would have refused a request that passed: it reports the
 * refusal as it is, and loses its `window`, so that a refund of the request gives it nothing (it
 * counted nothing). Changes `hit` in place.
 */
export function uncounted(hit: RateLimitHit): RateLimitHit {
  delete hit.window;
  return hit;
}
