import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/internal';
import { ApplicationConfig, HttpAdapterHost, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  RATE_LIMIT_OPTIONS,
  type RateLimitCaller,
  type RateLimitedRequest,
  RateLimitGuard,
  type RateLimitMode,
  type RateLimitRule,
  RateLimitRoutes,
  RateLimitService,
  type ResolvedRateLimitOptions,
} from '../../rate-limit/index.js';
import type { CatalogRoute } from './route-catalog.js';
import { RateLimitRouteFinder } from './rate-limit-route-finder.js';

/**
 * Why a request would not be limited: no route serves it (`no-route`, a 404), the route has no
 * `RateLimitGuard` (`not-guarded`), it is `@SkipRateLimit()` (`skipped`), the limiter is off
 * (`disabled`), or the rule resolver gave it no policy (`no-policies`).
 */
export type RateLimitExemption =
  'no-route' | 'not-guarded' | 'skipped' | 'disabled' | 'no-policies';

/** A policy a request falls under, with its mode as the guard applies it. */
export interface ExplainedPolicy {
  rule: RateLimitRule;
  /** `shadow` when the rule is, or the module's `shadow` option puts every limit in shadow. */
  mode: RateLimitMode;
}

/** What the guard would do with a request. */
export interface RateLimitExplanation {
  /** The route serving it (declared method and template); `null` when none or not Nest's. */
  route: { method: string; template: string } | null;
  /** Why it is not limited; `null` when it is. */
  reason: RateLimitExemption | null;
  /** Every policy it falls under, in the guard's order; empty when it is not limited. */
  policies: ExplainedPolicy[];
}

/**
 * The guard itself, asked rather than run: finds the route a request would reach, then decides
 * as `RateLimitGuard` does (its own `resolveRules`, so its canonical paths, route templates,
 * `@RateLimited` fallbacks and rule resolver), without counting anything. It extends the guard
 * for that method only and never guards a route. A host's own subclass of the guard that
 * overrides `resolveRules` is not consulted.
 */
@Injectable()
export class RateLimitPolicyExplainer extends RateLimitGuard {
  private readonly routeLimits: RateLimitRoutes;
  private globallyGuarded: boolean | undefined;

  constructor(
    reflector: Reflector,
    limiter: RateLimitService,
    adapterHost: HttpAdapterHost,
    @Inject(RATE_LIMIT_OPTIONS) options: ResolvedRateLimitOptions,
    private readonly finder: RateLimitRouteFinder,
    private readonly config: ApplicationConfig,
  ) {
    super(reflector, limiter, adapterHost, options);
    this.routeLimits = new RateLimitRoutes(reflector, options);
  }

  /**
   * The policies a request to `path` (no query) with `method` by `caller` (`undefined`:
   * anonymous) would fall under.
   */
  explain(method: string, path: string, caller: RateLimitCaller | undefined): RateLimitExplanation {
    const match = this.finder.find(method, path);
    if (match === undefined) return exempt('no-route', null);
    const { route: served, template, params } = match;
    const route =
      served === undefined || template === undefined
        ? null
        : { method: RequestMethod[served.method], template };
    if (!this.options.enabled) return exempt('disabled', route);
    if (served === undefined || template === undefined || !this.isGuarded(served))
      return exempt('not-guarded', route);
    const request: RateLimitedRequest = {
      originalUrl: path,
      url: path,
      params,
      route: { path: template },
    };
    const context = new ExecutionContextHost([request, {}], served.controller, served.handler);
    const limits = this.routeLimits.route(context);
    if (limits.skip) return exempt('skipped', route);
    const resolved = this.resolveRules(context, request, caller, limits);
    const rules: readonly RateLimitRule[] = Array.isArray(resolved) ? resolved : [resolved];
    if (rules.length === 0) return exempt('no-policies', route);
    const everyShadow = this.options.shadow;
    const policies = rules.map((rule): ExplainedPolicy => ({
      rule,
      mode: everyShadow || rule.mode === 'shadow' ? 'shadow' : 'enforce',
    }));
    return { route, reason: null, policies };
  }

  /** Whether `RateLimitGuard` (or a subclass) runs on the route: globally, on its class or method. */
  private isGuarded({ controller, handler }: CatalogRoute): boolean {
    this.globallyGuarded ??=
      this.config.getGlobalGuards().some(isRateLimitGuard) ||
      this.config.getGlobalRequestGuards().some((wrapper) => isRateLimitGuard(wrapper.metatype));
    if (this.globallyGuarded) return true;
    return [controller, handler].some((target) =>
      (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined)?.some(
        isRateLimitGuard,
      ),
    );
  }
}

function exempt(
  reason: RateLimitExemption,
  route: RateLimitExplanation['route'],
): RateLimitExplanation {
  return { route, reason, policies: [] };
}

/** `RateLimitGuard`, a subclass of it, or an instance of either, as `@UseGuards()` takes them. */
function isRateLimitGuard(guard: unknown): boolean {
  if (guard instanceof RateLimitGuard) return true;
  return (
    typeof guard === 'function' &&
    (guard === RateLimitGuard || guard.prototype instanceof RateLimitGuard)
  );
}
