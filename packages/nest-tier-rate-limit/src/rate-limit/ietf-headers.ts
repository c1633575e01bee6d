import { serializeString } from 'structured-headers';
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
  if (/^[\x20-\x7e]*$/.test(name)) return name;
  // Well-formed first: encodeURIComponent throws on a lone surrogate a resolver may pass.
  return name.toWellFormed().replace(/[^\x20-\x7e]+/gu, encodeURIComponent);
}

/** Names quoted as Structured Fields Strings, once each (bounded: resolvers may invent names). */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 1000;

function quotedLabel(policy: RateLimitPolicyCheck): string {
  const name = policy.name ?? 'default';
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    // The library's serializer escapes and checks; the items around it are only integers.
    quoted = serializeString(policyLabel(policy));
    if (quotedNames.size < MAX_QUOTED_NAMES) quotedNames.set(name, quoted);
  }
  return quoted;
}

/**
 * Whether a policy's state goes into the headers: shadow policies stay out of sight beside
 * enforced ones (a client would slow down for a limit that refuses nobody), and are shown when
 * every policy is a shadow (`shadow: true` for the whole module, a route tried out in shadow).
 */
export function isShownState(state: RateLimitPolicyState, everyShadow: boolean): boolean {
  return everyShadow || state.policy.shadow !== true;
}

/** Whether every policy of the decision is a shadow one. */
export function everyShadow(states: readonly RateLimitPolicyState[]): boolean {
  for (const state of states) if (state.policy.shadow !== true) return false;
  return true;
}

/**
 * `RateLimit-Policy`: one item per policy shown ({@link isShownState}), its name with the quota
 * (`q`) and the window in seconds (`w`). No partition key: the only ones there are, the caller's
 * id or address, would tell a client what the server keys it on. Written as `serializeList` of
 * `structured-headers` writes it (a test compares them), without its per-item maps.
 * @example `"pro_api_v1_widgets";q=100;w=60, "total";q=1000;w=3600`
 */
export function ietfPolicyField(states: readonly RateLimitPolicyState[]): string {
  const shadows = everyShadow(states);
  let field = '';
  for (const state of states) {
    if (!isShownState(state, shadows)) continue;
    if (field !== '') field += ', ';
    field += `${quotedLabel(state.policy)};q=${state.limit};w=${state.policy.period}`;
  }
  return field;
}

/**
 * `RateLimit`: one item per policy shown, its name with the units left (`r`) and the seconds
 * until they are back (`t`).
 * @example `"pro_api_v1_widgets";r=42;t=17, "total";r=998;t=3599`
 */
export function ietfStateField(states: readonly RateLimitPolicyState[]): string {
  const shadows = everyShadow(states);
  let field = '';
  for (const state of states) {
    if (!isShownState(state, shadows)) continue;
    if (field !== '') field += ', ';
    field += `${quotedLabel(state.policy)};r=${state.remaining};t=${state.resetSeconds}`;
  }
  return field;
}
