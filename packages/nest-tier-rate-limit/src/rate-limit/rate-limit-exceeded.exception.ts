import { HttpException, HttpStatus } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** The 429 the guard throws; its body says how long to wait, or that the backend failed closed. */
export class RateLimitExceededException extends HttpException {
  constructor(decision: RateLimitDecision) {
    const message = decision.degraded
      ? 'Access denied as a precaution'
      : `Rate limit exceeded. Try again in ${decision.retryAfterSeconds} seconds.`;
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
