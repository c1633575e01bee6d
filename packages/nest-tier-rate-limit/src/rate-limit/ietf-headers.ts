import { serializeList } from 'structured-headers';
import type { RateLimitPolicyState } from './rate-limit-decision.js';
import type { RateLimitPolicyCheck } from './stores/rate-limit-store.js';

/** Names of the fields of draft-ietf-httpapi-ratelimit-headers-10. */
export const IetfRateLimitHeader = {
  Policy: 'RateLimit-Policy',
  State: 'RateLimit',
} as const;

/**
 * What a policy is called outside the process: its name (`default` when it has none), as a
 * Structured Fields String can carry it: characters outside printable ASCII percent-encoded.
 */
export function policyLabel(policy: RateLimitPolicyCheck): string {
  const name = policy.name ?? 'default';
  return /^[\x20-\x7e]*$/.test(name) ? name : name.replace(/[^\x20-\x7e]+/gu, encodeURIComponent);
}

/**
 * `RateLimit-Policy`: one item per policy, its name with the quota (`q`) and the window in
 * seconds (`w`). No partition key: the only ones there are, the caller's id or address, would
 * tell a client what the server keys it on.
 * @example `"pro_api_v1_widgets";q=100;w=60, "total";q=1000;w=3600`
 */
export function ietfPolicyField(states: readonly RateLimitPolicyState[]): string {
  return serializeList(
    states.map(({ policy, limit }) => [
      policyLabel(policy),
      new Map([
        ['q', limit],
        ['w', policy.period],
      ]),
    ]),
  );
}

/**
 * `RateLimit`: one item per policy, its name with the units left (`r`) and the seconds until
 * they are back (`t`).
 * @example `"pro_api_v1_widgets";r=42;t=17, "total";r=998;t=3599`
 */
export function ietfStateField(states: readonly RateLimitPolicyState[]): string {
  return serializeList(
    states.map(({ policy, remaining, resetSeconds }) => [
      policyLabel(policy),
      new Map([
        ['r', remaining],
        ['t', resetSeconds],
      ]),
    ]),
  );
}
