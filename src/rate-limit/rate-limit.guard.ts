import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { addressIdentity, clientAddress, compileTrustProxy, type ProxyTrust } from './client-ip.js';
import type { RateLimitCaller } from './rate-limit-caller.js';
import { RateLimitExceededException } from './rate-limit-exceeded.exception.js';
import { writeRateLimitHeaders } from './rate-limit-headers.js';
import { buildRateLimitKey } from './rate-limit-key.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { requestPath, sanitizePath, sanitizeRouteTemplate } from './rate-limit-path.js';
import {
  RATE_LIMIT_DECISION,
  type RateLimitedRequest,
  rawRequest,
  routeTemplate,
} from './rate-limit-request.js';
import type { RateLimitRule, RateLimitRuleContext } from './rate-limit-rule.js';
import { RATE_LIMITED_METADATA, type RateLimitedOptions } from './rate-limited.metadata.js';
import { RateLimitService } from './rate-limit.service.js';

type Fallback = RateLimitRuleContext['fallback'];

/**
 * Enforces the limit on a route: resolves the caller and the rule, counts one hit, writes the
 * rate-limit headers, and answers 429 when over the limit. No interceptor: a global one would put
 * every request of the app through Nest's observable pipeline (about 8–10 µs each, measured).
 * Extend it and override the `protected` methods to change how callers or keys are derived.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly proxyTrust: ProxyTrust;
  /** Sanitized route templates; bounded by the app's routes, since the framework supplies them. */
  private readonly templates = new Map<string, string>();
  /** Each route's fallback limit by class and handler, read from metadata once, not per request. */
  private readonly fallbacks = new WeakMap<object, WeakMap<object, Fallback>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RATE_LIMIT_OPTIONS) protected readonly options: ResolvedRateLimitOptions,
  ) {
    this.proxyTrust = compileTrustProxy(options.trustProxy);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<RateLimitedRequest>();
    // A route guarded at class and method level (or globally too) is counted once.
    if (!this.options.enabled || request[RATE_LIMIT_DECISION] !== undefined) return true;
    const caller = this.options.callerResolver(request);
    const rule = this.resolveRule(context, request, caller);
    const key = buildRateLimitKey(
      this.options.keyPrefix,
      caller?.id ?? this.getTracker(request),
      rule.keyPath,
    );
    const decision = await this.limiter.incrementAndCheck({
      key,
      limit: rule.limit,
      period: rule.period,
    });
    request[RATE_LIMIT_DECISION] = decision;
    // Written here, before the handler runs: handler errors and 429s carry them alike.
    writeRateLimitHeaders(this.adapterHost.httpAdapter, http.getResponse(), decision);
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

  private sanitizedTemplate(template: string): string {
    let sanitized = this.templates.get(template);
    if (sanitized === undefined)
      this.templates.set(template, (sanitized = sanitizeRouteTemplate(template)));
    return sanitized;
  }

  /** The rule for this request: operator rules first, then `@RateLimited`, then the defaults. */
  protected resolveRule(
    context: ExecutionContext,
    request: RateLimitedRequest,
    caller: RateLimitCaller | undefined,
  ): RateLimitRule {
    const template = routeTemplate(request);
    const rawPath = requestPath(request.originalUrl ?? request.url ?? '');
    return this.options.ruleResolver.resolve({
      caller,
      path: sanitizePath(rawPath),
      rawPath,
      template: template === undefined ? undefined : this.sanitizedTemplate(template),
      fallback: this.routeFallback(context),
    });
  }

  /** The route's `@RateLimited` values (the method's over the class's), else the defaults. */
  private routeFallback(context: ExecutionContext): Fallback {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.fallbacks.get(controller);
    if (byHandler === undefined) this.fallbacks.set(controller, (byHandler = new WeakMap()));
    let fallback = byHandler.get(handler);
    if (fallback === undefined) {
      const route = this.reflector.getAllAndOverride<RateLimitedOptions | undefined>(
        RATE_LIMITED_METADATA,
        [handler, controller],
      );
      fallback = {
        limit: route?.limit ?? this.options.defaultLimit,
        period: route?.period ?? this.options.defaultPeriod,
      };
      byHandler.set(handler, fallback);
    }
    return fallback;
  }
}
