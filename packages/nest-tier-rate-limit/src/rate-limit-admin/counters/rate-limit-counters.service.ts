import {
  BadRequestException,
  Inject,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  RATE_LIMIT_OPTIONS,
  RateLimitKeyBuilder,
  type RateLimitPolicyCheck,
  RateLimitService,
  RateLimitStore,
  requestPath,
  type ResolvedRateLimitOptions,
} from '../../rate-limit/index.js';
import { policyResponse } from '../policies/explanation-response.js';
import {
  type RateLimitExplanation,
  RateLimitPolicyExplainer,
} from '../policies/rate-limit-policy-explainer.js';
import { readCounters } from './counter-read.js';
import type {
  RateLimitCounterQueryDto,
  RateLimitCountersRequest,
  RateLimitCountersResetResponse,
  RateLimitCountersResponse,
} from './rate-limit-counters.dto.js';
import { callerIdProblem, parseCallerId } from './rate-limit-caller-id.js';

/** The policies of one request by one caller, with their counter keys. */
interface CallerPolicies {
  asked: RateLimitCountersRequest;
  explanation: RateLimitExplanation;
  checks: RateLimitPolicyCheck[];
}

/**
 * A caller's live counters for the policies a request would fall under, read without counting,
 * and their reset. Keys are built as the guard builds them.
 */
@Injectable()
export class RateLimitCountersService {
  private readonly keys: RateLimitKeyBuilder;

  constructor(
    private readonly explainer: RateLimitPolicyExplainer,
    private readonly store: RateLimitStore,
    private readonly limiter: RateLimitService,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
  ) {
    this.keys = new RateLimitKeyBuilder(options.keyPrefix);
  }

  /**
   * Each policy's counter as it stands.
   * @throws ServiceUnavailableException when the store cannot be read
   */
  async read(query: RateLimitCounterQueryDto): Promise<RateLimitCountersResponse> {
    const { asked, explanation, checks } = this.policiesOf(query);
    const states = await this.reaching(() => readCounters(this.store, checks));
    const policies = explanation.policies.map((policy, index) => ({
      ...policyResponse(policy),
      key: checks[index].key,
      ...states[index],
    }));
    const { reason } = explanation;
    return { ...asked, limited: reason === null, reason, policies };
  }

  /**
   * Clears each policy's counter (`RateLimitService.reset`), so that the next request on it
   * starts afresh. A key several paths share (a template rule, the total `*`) is cleared for all.
   * @throws ServiceUnavailableException when the store cannot be reached
   */
  async reset(query: RateLimitCounterQueryDto): Promise<RateLimitCountersResetResponse> {
    const { asked, checks } = this.policiesOf(query);
    const keys = checks.map(({ key }) => key);
    await this.reaching(() => Promise.all(keys.map((key) => this.limiter.reset(key))));
    return { ...asked, reset: keys };
  }

  private policiesOf(query: RateLimitCounterQueryDto): CallerPolicies {
    const { method = 'GET', tierId, caller: callerId } = query;
    const problem = callerIdProblem(callerId, this.options.ipv6Subnet);
    if (problem !== undefined) throw new BadRequestException([problem]);
    const owner = parseCallerId(callerId, this.options.ipv6Subnet);
    if (owner.kind === 'ip' && tierId !== undefined)
      throw new BadRequestException([
        'tierId goes with a user caller only: ip callers have no tier',
      ]);
    const path = requestPath(query.path);
    const caller =
      owner.kind === 'user'
        ? { id: owner.id, tierId: tierId ?? null, isSuperuser: false }
        : undefined;
    const explanation = this.explainer.explain(method, path, caller);
    const route = explanation.route;
    const asked = { method, path, caller: callerId, tierId: tierId ?? null, route };
    const checks = explanation.policies.map(({ rule, mode }) => ({
      key: this.keys.build(owner.kind, owner.id, rule.keyPath),
      limit: rule.limit,
      period: rule.period,
      algorithm: rule.algorithm,
      burst: rule.burst,
      name: rule.name,
      shadow: mode === 'shadow',
    }));
    return { asked, explanation, checks };
  }

  /** Runs a store call; a failing store is a 503 naming it, never a 500. */
  private async reaching<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const message = `The ${this.store.name} rate-limit store cannot be reached; try again later`;
      throw new ServiceUnavailableException({ statusCode: 503, message }, { cause: error });
    }
  }
}
