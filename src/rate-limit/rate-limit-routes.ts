import type { ExecutionContext } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import type { Reflector } from '@nestjs/core';
import type { RateLimitRuleContext } from './rate-limit-rule.js';
import { RATE_LIMITED_METADATA, type RateLimitedOptions } from './rate-limited.metadata.js';
import { RouteTemplate } from './route-template.js';

type Fallback = RateLimitRuleContext['fallback'];

/**
 * What the guard knows of each route, worked out once rather than per request: the route's
 * fallback limit (`@RateLimited`, the method's over the class's, else the defaults) and its
 * compiled template. Both are bounded by the app's routes, since the framework supplies them.
 */
export class RateLimitRoutes {
  private readonly templates = new Map<string, RouteTemplate>();
  private readonly fallbacks = new WeakMap<object, WeakMap<object, Fallback>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly defaults: { defaultLimit: number; defaultPeriod: number },
  ) {}

  /** The compiled form of a template the router matched. */
  template(template: string): RouteTemplate {
    let compiled = this.templates.get(template);
    if (compiled === undefined)
      this.templates.set(template, (compiled = new RouteTemplate(template)));
    return compiled;
  }

  /** The route's own limit, else the defaults, and the method the route is declared for. */
  fallback(context: ExecutionContext): Fallback {
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
        limit: route?.limit ?? this.defaults.defaultLimit,
        period: route?.period ?? this.defaults.defaultPeriod,
        route: declaredMethod(handler),
      };
      byHandler.set(handler, fallback);
    }
    return fallback;
  }
}

/** `GET` for `@Get()` (also when a HEAD request reaches it), `ALL` for `@All()` or none known. */
function declaredMethod(handler: object): string {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  return method === undefined ? 'ALL' : RequestMethod[method];
}
