import { HttpException, HttpStatus } from '@nestjs/common';
import { policyLabel } from './ietf-headers.js';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** The problem type of draft-ietf-httpapi-ratelimit-headers-10 for a request over its quota. */
export const QUOTA_EXCEEDED_PROBLEM_TYPE =
  'https://iana.org/assignments/http-problem-types#quota-exceeded';

/**
 * The problem type of a refusal made as a precaution (the backend failed, failing closed): not a
 * quota the caller used up, so not `quota-exceeded`. A tag URI (RFC 4151): it names, it is not
 * fetched.
 */
export const PRECAUTIONARY_DENIAL_PROBLEM_TYPE =
  'tag:nest-tier-rate-limit,2026:precautionary-denial';

/** Media type of an RFC 9457 problem details body. */
export const PROBLEM_JSON = 'application/problem+json';

/** The 429 body with `problemDetails`: RFC 9457 members and the violated policies' names. */
export interface RateLimitProblem {
  type: string;
  title: string;
  status: 429;
  detail: string;
  /** Names of the policies that refused (`RateLimit-Policy` names them alike). */
  'violated-policies'?: string[];
}

/**
 * The 429 the guard throws; its body says how long to wait, or that the backend failed closed:
 * `{ statusCode, message }` by default, an RFC 9457 problem with `problemDetails`.
 * It carries no stack trace: a refusal is an answer, not a fault, and capturing the stack of a
 * Nest request was most of what a refusal cost (about 5 µs, measured in bench:micro).
 */
export class RateLimitExceededException extends HttpException {
  constructor(decision: RateLimitDecision, problemDetails = false) {
    const message = refusalMessage(decision);
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(
        problemDetails
          ? rateLimitProblem(decision, message)
          : { statusCode: HttpStatus.TOO_MANY_REQUESTS, message },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** What a refusal says: how long to wait, or that the backend failed closed. */
export function refusalMessage(decision: RateLimitDecision): string {
  return decision.degraded
    ? 'Access denied as a precaution'
    : `Rate limit exceeded. Try again in ${decision.retryAfterSeconds} seconds.`;
}

/** The problem details of a refusal: quota exceeded, naming the policies that refused. */
export function rateLimitProblem(
  decision: RateLimitDecision,
  detail = refusalMessage(decision),
): RateLimitProblem {
  if (decision.degraded)
    return {
      type: PRECAUTIONARY_DENIAL_PROBLEM_TYPE,
      title: 'Access denied as a precaution',
      status: HttpStatus.TOO_MANY_REQUESTS,
      detail,
    };
  return {
    type: QUOTA_EXCEEDED_PROBLEM_TYPE,
    title: 'Request cannot be satisfied as assigned quota has been exceeded',
    status: HttpStatus.TOO_MANY_REQUESTS,
    detail,
    'violated-policies': violatedPolicies(decision),
  };
}

/** The names of the enforced policies that refused, as `RateLimit-Policy` names them. */
export function violatedPolicies(decision: RateLimitDecision): string[] {
  return decision.policies
    .filter((state) => !state.allowed && state.policy.shadow !== true)
    .map((state) => policyLabel(state.policy));
}
