import { Controller, Get, Query } from '@nestjs/common';
import { requestPath } from '../../rate-limit/index.js';
import { ValidatesOwnInput } from '../strict-validation.pipe.js';
import { explanationResponse } from './explanation-response.js';
import { RateLimitPoliciesResponse, RateLimitPolicyQueryDto } from './rate-limit-policies.dto.js';
import { RateLimitPolicyExplainer } from './rate-limit-policy-explainer.js';

/**
 * `/rate-limit-policies`: which limits a request would fall under, and why, as the guard would
 * decide them. Open to anyone: it tells what any client can learn from the headers, without
 * counting a request.
 */
@Controller('rate-limit-policies')
@ValidatesOwnInput()
export class RateLimitPoliciesController {
  constructor(private readonly explainer: RateLimitPolicyExplainer) {}

  @Get()
  explain(@Query() query: RateLimitPolicyQueryDto): RateLimitPoliciesResponse {
    const { method = 'GET', tierId } = query;
    const path = requestPath(query.path);
    // A caller of that tier; the built-in resolvers read nothing else of it.
    const caller = tierId === undefined ? undefined : { id: '', tierId, isSuperuser: false };
    const asked = { method, path, tierId: tierId ?? null };
    return explanationResponse(asked, this.explainer.explain(method, path, caller));
  }
}
