import { IntrinsicException } from '@nestjs/common';
import type { RateLimitDecision } from '../rate-limit-decision.js';
import { refusalMessage, violatedPolicies } from '../rate-limit-exceeded.exception.js';

/** `extensions.code` of a GraphQL error for a refused field. */
export const RATE_LIMITED_CODE = 'RATE_LIMITED';

/** The `extensions` of a refused field's GraphQL error. */
export interface RateLimitedExtensions {
  code: typeof RATE_LIMITED_CODE;
  /** Whole seconds until the field may be asked again. */
  retryAfter: number;
  /** `true` when the backend failed and the module fails closed: no quota was used up. */
  precautionary?: true;
  /** Names of the policies that refused (`RateLimit-Policy` names them alike). */
  violatedPolicies?: string[];
}

/**
 * What the guard throws for a GraphQL field over its limit. GraphQL execution turns it into a
 * field error carrying these `extensions` (graphql-js copies them from the error it catches),
 * with Apollo and Mercurius alike; the HTTP status stays 200, as for any field error.
 * Intrinsic: Nest does not log it, and carries no stack, for a refusal is an answer, not a fault.
 */
export class RateLimitedGraphQLError extends IntrinsicException {
  readonly extensions: RateLimitedExtensions;

  constructor(decision: RateLimitDecision) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(refusalMessage(decision));
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'RateLimitedGraphQLError';
    this.extensions = decision.degraded
      ? { code: RATE_LIMITED_CODE, retryAfter: decision.retryAfterSeconds, precautionary: true }
      : {
          code: RATE_LIMITED_CODE,
          retryAfter: decision.retryAfterSeconds,
          violatedPolicies: violatedPolicies(decision),
        };
  }
}
