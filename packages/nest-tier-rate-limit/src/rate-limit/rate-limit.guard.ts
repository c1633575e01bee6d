import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { addressIdentity, clientAddress, compileTrustProxy, type ProxyTrust } from './client-ip.js';
import type { RateLimitCaller } from './rate-limit-caller.js';
import { PROBLEM_JSON, RateLimitExceededException } from './rate-limit-exceeded.exception.js';
import {
  responseHeaderSetter,
  type SetResponseHeader,
  writeHeadersIfUnsent,
  writeRateLimitHeaders,
} from './rate-limit-headers.js';
import { RateLimitContexts, type ResolvedContextTarget } from './contexts/rate-limit-contexts.js';
import { showsOnResponse } from './contexts/response-decision.js';
import { canonicalUrlPath } from './canonical-path.js';
import { RateLimitKeyBuilder } from './rate-limit-key.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { sanitizePath } from './rate-limit-path.js';
import { isPromiseLike, type MaybePromise } from './maybe-promise.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import {
  type RateLimitedRequest,
  rateLimitDecisionOf,
  rawRequest,
  recordRateLimitDecision,
  recordRateLimitSettlement,
  routeTemplate,
} from './rate-limit-request.js';
import type { RateLimitRule } from './rate-limit-rule.js';
import { type RateLimitRoute, RateLimitRoutes } from './rate-limit-routes.js';
import { RateLimitService } from './rate-limit.service.js';
import { Outcome } from './metrics/rate-limit-metrics.js';

/**
 * Enforces the limits on a route: resolves the caller and the rules, counts the request on all of
 * them at once, writes the rate-limit headers, and answers 429 when any limit is reached.
 * The same on GraphQL resolvers (a field error with `extensions.code = 'RATE_LIMITED'`) and
 * WebSocket message handlers (a `WsException`); other contexts pass through unless the module's
 * `contextResolver` reads them. No interceptor unless the route settles after its answer
 * (`count`): a global one would put every request of the app through Nest's observable pipeline
 * (about 8–10 µs each, measured).
 * Extend it and override the `protected` methods to change how callers or keys are derived:
 * `getTracker` for HTTP requests and GraphQL operations' requests, `resolveRules` for HTTP
 * routes (elsewhere, a `ruleResolver` or a `contextResolver` decides).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly proxyTrust: ProxyTrust;
  private readonly routes: RateLimitRoutes;
  private readonly keys: RateLimitKeyBuilder;
  private readonly contexts: RateLimitContexts;
  private setHeader: SetResponseHeader | undefined;

  constructor(
    reflector: Reflector,
    private readonly limiter: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RATE_LIMIT_OPTIONS) protected readonly options: ResolvedRateLimitOptions,
  ) {
    this.proxyTrust = compileTrustProxy(options.trustProxy);
    this.routes = new RateLimitRoutes(reflector, options);
    this.keys = new RateLimitKeyBuilder(options.keyPrefix);
    this.contexts = new RateLimitContexts(options, this.proxyTrust, (request) =>
      this.getTracker(request),
    );
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // A route guarded at class and method level (or globally too) is counted once.
    if (!this.options.enabled || rateLimitDecisionOf(context) !== undefined) return true;
    if (context.getType() !== 'http') return this.activateOutsideHttp(context);
    const request = context.getArgByIndex<RateLimitedRequest>(0);
    const route = this.routes.route(context);
    if (route.skip) return true;
    const caller = this.options.callerResolver(request);
    const rules = this.resolveRules(context, request, caller, route);
    const id = caller === undefined ? this.getTracker(request) : caller.id;
    const decision = this.decide(caller, id, rules, route);
    if (decision === undefined) return true;
    // The memory store answers at once: no promise, and Nest skips its await for a boolean.
    if (!isPromiseLike(decision)) {
      this.record(decision, rules, caller);
      return this.enforce(context, decision, route);
    }
    return Promise.resolve(decision).then((answer) => {
      this.record(answer, rules, caller);
      return this.enforce(context, answer, route);
    });
  }

  /** A GraphQL resolver, a WebSocket handler, or a context the app's `contextResolver` reads. */
  private activateOutsideHttp(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routes.route(context);
    if (route.skip) return true;
    const target = this.contexts.target(context, route);
    if (!isPromiseLike(target)) return this.limitOutsideHttp(context, route, target);
    return Promise.resolve(target).then((answer) => this.limitOutsideHttp(context, route, answer));
  }

  private limitOutsideHttp(
    context: ExecutionContext,
    route: RateLimitRoute,
    target: ResolvedContextTarget | undefined,
  ): boolean | Promise<boolean> {
    if (target === undefined) return true;
    const { caller } = target;
    const rules = this.options.ruleResolver.resolve({
      caller,
      path: target.path,
      rawPath: target.rawPath,
      template: target.template,
      fallback: route.fallback,
    });
    const decision = this.decide(caller, caller?.id ?? target.tracker, rules, route);
    if (decision === undefined) return true;
    if (!isPromiseLike(decision)) {
      this.record(decision, rules, caller);
      return this.enforceOutsideHttp(context, decision, route, target);
    }
    return Promise.resolve(decision).then((answer) => {
      this.record(answer, rules, caller);
      return this.enforceOutsideHttp(context, answer, route, target);
    });
  }

  /**
   * Counts the decision in the metrics, per policy, and logs what shadow policies would have
   * refused. The tier label is the caller's only where a rule of that tier applied: a tier id
   * the host's auth lets through unchecked never makes a series.
   */
  private record(
    decision: RateLimitDecision,
    rules: RateLimitRule | readonly RateLimitRule[],
    caller: RateLimitCaller | undefined,
  ): void {
    const { metrics } = this.limiter;
    const tierId = caller?.tierId ?? undefined;
    if (decision.degraded) {
      const rule = isRuleList(rules) ? rules[0] : rules;
      const tier = rule.source === 'rule' ? tierId : undefined;
      metrics.decided(decision.policy.name ?? 'default', tier, Outcome.degraded);
      return;
    }
    const states = decision.policies;
    for (let index = 0; index < states.length; index += 1) {
      const state = states[index];
      let outcome: number = Outcome.allowed;
      if (!state.allowed)
        outcome = state.policy.shadow === true ? Outcome.shadowLimited : Outcome.limited;
      // A refused request counted nowhere: only the policies that refused it are told.
      if (!decision.allowed && outcome !== Outcome.limited) continue;
      const rule = !isRuleList(rules)
        ? rules
        : // A refusal the deny cache answered lists only the policies it knew to refuse.
          states.length === rules.length
          ? rules[index]
          : (rules.find((each) => each.name === state.policy.name) ?? rules[0]);
      const tier = rule.source === 'rule' ? tierId : undefined;
      metrics.decided(state.policy.name ?? 'default', tier, outcome);
      if (outcome === Outcome.shadowLimited) this.limiter.shadowLog.wouldRefuse(state);
    }
  }

  /** Counts the request on every rule at once; one rule of one unit the fastest way. */
  private decide(
    caller: RateLimitCaller | undefined,
    id: string,
    rules: RateLimitRule | readonly RateLimitRule[],
    route: RateLimitRoute,
  ): MaybePromise<RateLimitDecision> | undefined {
    const several = isRuleList(rules);
    // No rule at all (a resolver may say so): nothing limits the request.
    if (several && rules.length === 0) return undefined;
    const kind = caller === undefined ? 'ip' : 'user';
    const everyShadow = this.options.shadow;
    if ((!several || rules.length === 1) && route.cost === 1 && !route.settles) {
      const { limit, period, algorithm, burst, keyPath, name, mode } = several ? rules[0] : rules;
      const key = this.keys.build(kind, id, keyPath);
      const shadow = everyShadow || mode === 'shadow';
      return this.limiter.check({ key, limit, period, algorithm, burst, name, shadow });
    }
    const policies = (several ? rules : [rules]).map(
      ({ limit, period, algorithm, burst, keyPath, name, mode }) => ({
        key: this.keys.build(kind, id, keyPath),
        limit,
        period,
        algorithm,
        burst,
        name,
        shadow: everyShadow || mode === 'shadow',
      }),
    );
    return this.limiter.checkAll(policies, route.cost, route.settles);
  }

  /** Records the decision, writes its headers, and refuses when it says so. */
  private enforce(
    context: ExecutionContext,
    decision: RateLimitDecision,
    route: RateLimitRoute,
  ): boolean {
    recordRateLimitDecision(context, decision);
    if (route.settles && decision.cost > 0)
      recordRateLimitSettlement(context.getArgByIndex(0), {
        decision,
        count: route.count as 'failed' | 'successful',
      });
    // Chosen once, on the first decision: an app without HTTP has no adapter to ask.
    this.setHeader ??= responseHeaderSetter(this.adapterHost.httpAdapter);
    const response = context.getArgByIndex<unknown>(1);
    // Written here, before the handler runs: handler errors and 429s carry them alike.
    writeRateLimitHeaders(this.setHeader, response, decision, this.options.headers);
    if (decision.allowed) return true;
    const { problemDetails } = this.options;
    // Set before Nest's exception filter replies, which keeps a content type already set.
    if (problemDetails) this.setHeader(response, 'Content-Type', PROBLEM_JSON);
    throw new RateLimitExceededException(decision, problemDetails);
  }

  /**
   * As {@link enforce}, outside HTTP: the settlement kept on the call's arguments, which the
   * interceptor shares; headers on the HTTP response a GraphQL operation has, showing its most
   * constrained field; the transport's own error on refusal.
   */
  private enforceOutsideHttp(
    context: ExecutionContext,
    decision: RateLimitDecision,
    route: RateLimitRoute,
    target: ResolvedContextTarget,
  ): boolean {
    recordRateLimitDecision(context, decision);
    if (route.settles && decision.cost > 0)
      recordRateLimitSettlement(context.getArgs(), {
        decision,
        count: route.count as 'failed' | 'successful',
      });
    const { response, responseScope } = target;
    if (response !== undefined && showsOnResponse(responseScope ?? response, decision)) {
      this.setHeader ??= responseHeaderSetter(this.adapterHost.httpAdapter);
      writeHeadersIfUnsent(this.setHeader, response, decision, this.options.headers);
    }
    if (decision.allowed) return true;
    throw target.refusal(decision);
  }

  /** The identity of an anonymous caller: its client IP, IPv6 grouped by subnet. */
  protected getTracker(request: RateLimitedRequest): string {
    return addressIdentity(
      clientAddress(rawRequest(request), this.proxyTrust),
      this.options.ipv6Subnet,
    );
  }

  /**
   * The rules for this request: operator rules first, then `@RateLimited`, then the defaults,
   * with a total budget where one applies.
   * Paths are canonical: the template the router matched, with canonical parameter values, so no
   * spelling of a resource gets a counter of its own, whatever the framework's routing settings.
   */
  protected resolveRules(
    context: ExecutionContext,
    request: RateLimitedRequest,
    caller: RateLimitCaller | undefined,
    route: RateLimitRoute = this.routes.route(context),
  ): RateLimitRule | readonly RateLimitRule[] {
    const matched = routeTemplate(request);
    const template = matched === undefined ? undefined : this.routes.template(matched);
    const rawPath =
      template?.path(request.params) ?? canonicalUrlPath(request.originalUrl ?? request.url ?? '');
    return this.options.ruleResolver.resolve({
      caller,
      path: template === undefined ? sanitizePath(rawPath) : template.sanitizedPath(rawPath),
      rawPath,
      template: template?.rulePath,
      fallback: route.fallbackFor(template),
    });
  }
}

function isRuleList(
  rules: RateLimitRule | readonly RateLimitRule[],
): rules is readonly RateLimitRule[] {
  return Array.isArray(rules);
}
