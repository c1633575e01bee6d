import type {
  RateLimitPoliciesResponse,
  RateLimitPolicyResponse,
} from './rate-limit-policies.dto.js';
import type { ExplainedPolicy, RateLimitExplanation } from './rate-limit-policy-explainer.js';

/** What was asked: the request's method and path, and the caller's tier. */
export interface ExplainedRequest {
  method: string;
  path: string;
  tierId: number | null;
}

/** A policy as the API returns it: unset name and source read `default`, as in headers. */
export function policyResponse({ rule, mode }: ExplainedPolicy): RateLimitPolicyResponse {
  const { name = 'default', source = 'default', limit, period, algorithm, burst, keyPath } = rule;
  return { name, source, limit, period, algorithm, burst: burst ?? null, mode, keyPath };
}

/** An explanation as `GET /rate-limit-policies` answers it. */
export function explanationResponse(
  asked: ExplainedRequest,
  { route, reason, policies }: RateLimitExplanation,
): RateLimitPoliciesResponse {
  return {
    ...asked,
    route,
    limited: reason === null,
    reason,
    policies: policies.map(policyResponse),
  };
}
