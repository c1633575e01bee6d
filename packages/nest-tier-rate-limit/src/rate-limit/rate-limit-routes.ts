import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { ExecutionContext } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import type { Reflector } from '@nestjs/core';
import {
  type RateLimitFallback,
  type RateLimitRule,
  type RateLimitWindow,
  TOTAL_KEY_PATH,
} from './rate-limit-rule.js';
import {
  type RateLimitCountMode,
  RATE_LIMITED_METADATA,
  type RateLimitedMetadata,
  SKIP_RATE_LIMIT_METADATA,
} from './rate-limited.metadata.js';
import { RouteTemplate } from './route-template.js';
import { sanitizePath, sanitizeRouteTemplate } from './rate-limit-path.js';

/** What the guard needs of a route before counting. */
export class RateLimitRoute {
  private readonly byTemplate = new Map<RouteTemplate, Fallback>();

  /** Whether the interceptor settles the hit once the handler has answered. */
  readonly settles: boolean;

  constructor(
    /** `@SkipRateLimit()` applies: no counting, no headers. */
    readonly skip: boolean,
    /** The route's own limits, else the defaults, keyed by its declared method alone. */
    readonly fallback: Fallback,
    /** Which answers keep their hit (`@RateLimited({ count })`). */
    readonly count: RateLimitCountMode = 'all',
    /** Units a request uses (`@RateLimited({ cost })`). */
    readonly cost = 1,
    /** A WebSocket handler's message (`@SubscribeMessage`), in the forms rules match. */
    readonly message?: RateLimitHandlerPath,
    /** The handler carries `@RateLimited` itself, not only through its class. */
    readonly ownLimit = false,
  ) {
    this.settles = count !== 'all';
  }

  /**
   * The fallback for a request the router matched on `template`: keyed apart by method and, for
   * a template with parameters, the template itself. Built once per template.
   */
  fallbackFor(template: RouteTemplate | undefined): Fallback {
    if (template === undefined) return this.fallback;
    let fallback = this.byTemplate.get(template);
    if (fallback === undefined) {
      fallback = { ...this.fallback, route: template.routeKey(this.fallback.route) };
      this.byTemplate.set(template, fallback);
    }
    return fallback;
  }
}

type Fallback = RateLimitFallback;

/** A handler's counter path, in the forms a rule resolver matches (see `RateLimitRuleContext`). */
export interface RateLimitHandlerPath {
  path: string;
  rawPath: string;
  template: string | undefined;
}

// `@nestjs/websockets` metadata, read without loading the package.
const MESSAGE_METADATA = 'message';
const GATEWAY_OPTIONS = 'websockets:gateway_options';

/**
 * What the guard knows of each route, worked out once rather than per request: whether it is
 * skipped, its fallback limit (`@RateLimited`, the method's over the class's, else the defaults)
 * and its compiled template. All bounded by the app's routes, since the framework supplies them.
 */
export class RateLimitRoutes {
  private readonly templates = new Map<string, RouteTemplate>();
  private readonly routes = new WeakMap<object, WeakMap<object, RateLimitRoute>>();
  private lastHandler: object | undefined;
  private lastController: object | undefined;
  private lastRoute: RateLimitRoute | undefined;
  /** The module's total budget, shared by every route. */
  private readonly total: RateLimitRule | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly defaults: {
      defaultLimit: number;
      defaultPeriod: number;
      defaultAlgorithm: RateLimitAlgorithm;
      defaultTotalLimit?: number;
      defaultTotalPeriod?: number;
    },
  ) {
    const { defaultTotalLimit: limit, defaultTotalPeriod: period, defaultAlgorithm } = defaults;
    this.total =
      limit === undefined || period === undefined
        ? undefined
        : {
            limit,
            period,
            algorithm: defaultAlgorithm,
            name: 'total',
            source: 'default',
            keyPath: TOTAL_KEY_PATH,
          };
  }

  /** The compiled form of a template the router matched. */
  template(template: string): RouteTemplate {
    let compiled = this.templates.get(template);
    if (compiled === undefined)
      this.templates.set(template, (compiled = new RouteTemplate(template)));
    return compiled;
  }

  /** The route a request reached, by its controller and handler. */
  route(context: ExecutionContext): RateLimitRoute {
    const handler = context.getHandler();
    const controller = context.getClass();
    // The same route twice in a row is the common case: skip both lookups.
    if (handler === this.lastHandler && controller === this.lastController) return this.lastRoute!;
    let byHandler = this.routes.get(controller);
    if (byHandler === undefined) this.routes.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (route === undefined)
      byHandler.set(handler, (route = this.describe(handler, controller, context.getType())));
    this.lastHandler = handler;
    this.lastController = controller;
    this.lastRoute = route;
    return route;
  }

  private describe(handler: object, controller: object, type: string): RateLimitRoute {
    const own = (key: string, target: object) => this.reflector.get<unknown>(key, target as never);
    const limited = this.reflector.getAllAndOverride<RateLimitedMetadata | undefined>(
      RATE_LIMITED_METADATA,
      [handler, controller] as never,
    );
    // The method's own decorator wins over the class's, whichever of the two each one is.
    const skip =
      own(SKIP_RATE_LIMIT_METADATA, handler) === true ||
      (own(RATE_LIMITED_METADATA, handler) === undefined &&
        own(SKIP_RATE_LIMIT_METADATA, controller) === true);
    const { defaultLimit, defaultPeriod, defaultAlgorithm } = this.defaults;
    const declared = limited?.windows ?? [{}];
    const source = limited === undefined ? 'default' : 'route';
    const windows = declared.map((window): RateLimitWindow => {
      const period = window.period ?? defaultPeriod;
      return {
        limit: window.limit ?? defaultLimit,
        period,
        algorithm: window.algorithm ?? defaultAlgorithm,
        burst: window.burst,
        mode: window.mode,
        // Named by where it comes from, the period telling a route's limits apart.
        name: declared.length === 1 ? source : `${source}_${period}s`,
        source,
      };
    });
    const route = routeKey(type, handler, controller);
    const fallback = { ...windows[0], windows, route, total: this.total };
    const message = type === 'ws' ? messagePath(handler) : undefined;
    const ownLimit = own(RATE_LIMITED_METADATA, handler) !== undefined;
    return new RateLimitRoute(skip, fallback, limited?.count, limited?.cost, message, ownLimit);
  }
}

/**
 * What keys a handler's fallback counters apart from other handlers on the same path: the HTTP
 * method, `GRAPHQL`, `WS` with the gateway's namespace (`WS@chat`) when it declares one, else
 * the context's type (`RPC`).
 */
function routeKey(type: string, handler: object, controller: object): string {
  if (type === 'http') return declaredMethod(handler);
  if (type !== 'ws') return type.toUpperCase();
  const options = Reflect.getMetadata(GATEWAY_OPTIONS, controller) as
    { namespace?: unknown } | undefined;
  const namespace = options?.namespace;
  // A pattern namespace (a RegExp, a function) names many: the handler's path alone keys them.
  if (typeof namespace !== 'string' || sanitizePath(namespace) === '') return 'WS';
  return `WS@${sanitizePath(namespace)}`;
}

/**
 * A `@SubscribeMessage` handler's message as a counter path: the name as is, since socket.io
 * tells `a/b` from `a_b` (two handlers never share a counter), and in rule form as the template,
 * so that a rule stored for `chat:send` or `/chat/send` finds it.
 */
function messagePath(handler: object): RateLimitHandlerPath | undefined {
  const message = Reflect.getMetadata(MESSAGE_METADATA, handler) as unknown;
  if (typeof message !== 'string') return undefined;
  return { path: message, rawPath: message, template: sanitizeRouteTemplate(message) };
}

/** `GET` for `@Get()` (also when a HEAD request reaches it), `ALL` for `@All()` or none known. */
function declaredMethod(handler: object): string {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  return method === undefined ? 'ALL' : RequestMethod[method];
}
