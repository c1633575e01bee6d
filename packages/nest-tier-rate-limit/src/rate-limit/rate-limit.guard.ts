import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { addressIdentity, clientAddress, compileTrustProxy, type ProxyTrust } from './client-ip.js';
import type { RateLimitCaller } from './rate-limit-caller.js';
import { RateLimitExceededException } from './rate-limit-exceeded.exception.js';
import {
  responseHeaderSetter,
  type SetResponseHeader,
  writeRateLimitHeaders,
} from './rate-limit-headers.js';
import { canonicalUrlPath } from './canonical-path.js';
import { RateLimitKeyBuilder } from './rate-limit-key.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { sanitizePath } from './rate-limit-path.js';
import { isPromiseLike } from './maybe-promise.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import {
  type RateLimitedRequest,
  rateLimitDecisionOf,
  rawRequest,
  recordRateLimitDecision,
  routeTemplate,
} from './rate-limit-request.js';
import type { RateLimitRule } from './rate-limit-rule.js';
import { type RateLimitRoute, RateLimitRoutes } from './rate-limit-routes.js';
import { RateLimitService } from './rate-limit.service.js';

/**
 * Enforces the limit on a route: resolves the caller and the rule, counts one hit, writes the
 * rate-limit headers, and answers 429 when over the limit. No interceptor: a global one would put
 * every request of the app through Nest's observable pipeline (about 8–10 µs each, measured).
 * Extend it and override the `protected` methods to change how callers or keys are derived.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly proxyTrust: ProxyTrust;
  private readonly routes: RateLimitRoutes;
  private readonly keys: RateLimitKeyBuilder;
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
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.getArgByIndex<RateLimitedRequest>(0);
    // A route guarded at class and method level (or globally too) is counted once.
    if (!this.options.enabled || rateLimitDecisionOf(context) !== undefined) return true;
    const route = this.routes.route(context);
    if (route.skip) return true;
    const caller = this.options.callerResolver(request);
    const rule = this.resolveRule(context, request, caller, route);
    const key =
      caller === undefined
        ? this.keys.build('ip', this.getTracker(request), rule.keyPath)
        : this.keys.build('user', caller.id, rule.keyPath);
    const { limit, period, algorithm, burst } = rule;
    const decision = this.limiter.check({ key, limit, period, algorithm, burst });
    // The memory store answers at once: no promise, and Nest skips its await for a boolean.
    if (!isPromiseLike(decision)) return this.enforce(context, decision);
    return Promise.resolve(decision).then((answer) => this.enforce(context, answer));
  }

  /** Records the decision, writes its headers, and refuses when it says so. */
  private enforce(context: ExecutionContext, decision: RateLimitDecision): boolean {
    recordRateLimitDecision(context, decision);
    // Chosen once, on the first decision: an app without HTTP has no adapter to ask.
    this.setHeader ??= responseHeaderSetter(this.adapterHost.httpAdapter);
    // Written here, before the handler runs: handler errors and 429s carry them alike.
    writeRateLimitHeaders(this.setHeader, context.getArgByIndex(1), decision);
    if (decision.allowed) return true;
    throw new RateLimitExceededException(decision);
  }

  /** The identity of an anonymous caller: its client IP, IPv6 grouped by subnet. */
  protected getTracker(request: RateLimitedRequest): string {
    return addressIdentity(
      clientAddress(rawRequest(request), this.proxyTrust),
      this.options.ipv6Subnet,
    );
  }

  /**
   * The rule for this request: operator rules first, then `@RateLimited`, then the defaults.
   * Paths are canonical: the template the router matched, with canonical parameter values, so no
   * spelling of a resource gets a counter of its own, whatever the framework's routing settings.
   */
  protected resolveRule(
    context: ExecutionContext,
    request: RateLimitedRequest,
    caller: RateLimitCaller | undefined,
    route: RateLimitRoute = this.routes.route(context),
  ): RateLimitRule {
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
