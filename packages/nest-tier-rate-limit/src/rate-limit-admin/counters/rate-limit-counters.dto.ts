import { applyDecorators } from '@nestjs/common';
import { IsString, ValidateBy } from 'class-validator';
import { IsWellFormedText } from '../dto-text.js';
import {
  RateLimitPolicyQueryDto,
  RateLimitPolicyResponse,
  RateLimitRouteResponse,
} from '../policies/rate-limit-policies.dto.js';
import type { RateLimitExemption } from '../policies/rate-limit-policy-explainer.js';
import { callerIdProblem } from './rate-limit-caller-id.js';

/** `user:<id>` or `ip:<address>`: see {@link callerIdProblem}. */
const IsCallerId = () =>
  applyDecorators(
    IsString(),
    IsWellFormedText(),
    ValidateBy({
      name: 'isCallerId',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !callerIdProblem(value),
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? callerIdProblem(args.value)! : 'caller is invalid',
      },
    }),
  );

/** `?caller=&path=&tierId=&method=` of `/rate-limit-counters`. */
export class RateLimitCounterQueryDto extends RateLimitPolicyQueryDto {
  /**
   * Whose counters, as the key names them: `user:<id>` (the id the caller resolver reads) or
   * `ip:<address>` (an anonymous caller). `tierId` goes with a user only.
   */
  @IsCallerId()
  caller!: string;
}

/** One policy's live counter. */
export class RateLimitCounterResponse extends RateLimitPolicyResponse {
  /** The full counter key (`ratelimit:{user:42}:api_v1_widgets_{id}`). */
  key!: string;
  /** Null when the store cannot read it without counting (`readError` says why). */
  count!: number | null;
  remaining!: number | null;
  resetSeconds!: number | null;
  readError!: string | null;
}

/** What is asked of `/rate-limit-counters`, echoed in its answers. */
export class RateLimitCountersRequest {
  method!: string;
  path!: string;
  caller!: string;
  tierId!: number | null;
  /** Null when no route serves the request, or one that is not a Nest controller's. */
  route!: RateLimitRouteResponse | null;
}

/** A caller's live counters for the policies of one request. */
export class RateLimitCountersResponse extends RateLimitCountersRequest {
  limited!: boolean;
  reason!: RateLimitExemption | null;
  policies!: RateLimitCounterResponse[];
}

/** What `DELETE /rate-limit-counters` reset. */
export class RateLimitCountersResetResponse extends RateLimitCountersRequest {
  /** The keys cleared: the next request on each starts afresh. */
  reset!: string[];
}
