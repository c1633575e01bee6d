import { HttpException, HttpStatus } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';

/**
 * The 429 the guard throws; its body says how long to wait, or that the backend failed closed.
 * It carries no stack trace: a refusal is an answer, not a fault, and capturing the stack of a
 * Nest request was most of what a refusal cost (about 5 µs, measured in bench:micro).
 */
export class RateLimitExceededException extends HttpException {
  constructor(decision: RateLimitDecision) {
    const message = decision.degraded
      ? 'Access denied as a precaution'
      : `Rate limit exceeded. Try again in ${decision.retryAfterSeconds} seconds.`;
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message }, HttpStatus.TOO_MANY_REQUESTS);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}
