import { RequestMethod } from '@nestjs/common';
import { canonicalUrlPath, RouteTemplate } from '../../rate-limit/index.js';
import type { CatalogRoute } from './route-catalog.js';

/** The route the adapter's router picks for a request, with the parameters it reads. */
export interface RouteMatch {
  /** The route's template as the router has it (`/api/v1/widgets/:id`), when known. */
  template: string | undefined;
  /** The route parameters, as the framework decodes them for the handler. */
  params: unknown;
  /** The controller method serving it; `undefined` for a route that is not Nest's. */
  route: CatalogRoute | undefined;
}

/** Finds the route serving `method` and `path` (no query), or `undefined` when none does. */
export type RouteLookup = (method: string, path: string) => RouteMatch | undefined;

/** The HTTP adapter, as far as finding routes goes. */
export interface RoutingAdapter {
  getType(): string;
  getInstance(): unknown;
}

/**
 * Asks the adapter's own router which route serves a request, so that the answer follows its
 * order, case and trailing-slash rules: Express' router layers (first match in registration
 * order), Fastify's `findRoute` (its most specific route). `undefined` for any other adapter.
 */
export function routeLookup(
  adapter: RoutingAdapter,
  routes: readonly CatalogRoute[],
): RouteLookup | undefined {
  const instance = adapter.getInstance() as ExpressApp & FastifyApp;
  if (adapter.getType() === 'express') return expressLookup(instance, routes);
  if (adapter.getType() === 'fastify') return fastifyLookup(instance, routes);
  return undefined;
}

interface ExpressLayer {
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
  match?: (path: string) => false | { params: unknown };
}
interface ExpressApp {
  router?: { stack?: unknown };
}

function expressLookup(app: ExpressApp, routes: readonly CatalogRoute[]): RouteLookup | undefined {
  const stack = app.router?.stack;
  if (!Array.isArray(stack)) return undefined;
  return (method, path) => {
    const verb = method.toLowerCase();
    for (const layer of stack as ExpressLayer[]) {
      const { route, match } = layer;
      if (route?.methods === undefined || typeof route.path !== 'string') continue;
      if (typeof match !== 'function' || !handles(route.methods, verb)) continue;
      const matched = match.call(layer, path);
      if (matched === false) continue;
      const template = route.path;
      const declared = declaredOn(route.methods);
      const served = routes.find((one) => one.template === template && one.method === declared);
      return { template, params: matched.params, route: served };
    }
    return undefined;
  };
}

/** Whether an Express route answers `verb` (lower case), as its router decides: HEAD by GET. */
function handles(methods: Record<string, boolean | undefined>, verb: string): boolean {
  return methods._all === true || methods[verb] === true || (verb === 'head' && !!methods.get);
}

/** The method a Nest route was declared with, from its Express route: one, or `ALL`. */
function declaredOn(methods: Record<string, boolean | undefined>): RequestMethod {
  const names = Object.keys(methods).filter((name) => methods[name] === true);
  if (names.length !== 1 || names[0] === '_all') return RequestMethod.ALL;
  return RequestMethod[names[0].toUpperCase() as keyof typeof RequestMethod] ?? RequestMethod.ALL;
}

interface FastifyApp {
  findRoute?: (options: { method: string; url: string }) => { params: unknown } | null;
}

function fastifyLookup(app: FastifyApp, routes: readonly CatalogRoute[]): RouteLookup | undefined {
  const { findRoute } = app;
  if (typeof findRoute !== 'function') return undefined;
  const templates = new Map<string, RouteTemplate>();
  const compiled = (template: string) => {
    let known = templates.get(template);
    if (known === undefined) templates.set(template, (known = new RouteTemplate(template)));
    return known;
  };
  return (method, path) => {
    const found = findRoute.call(app, { method, url: path });
    if (found === null || found === undefined || hasEmptyParam(found.params)) return undefined;
    const { params } = found;
    // Fastify says which parameters it read, not which route: the route is the one whose
    // template spells this path with them.
    const wanted = canonicalUrlPath(path);
    const candidates = routes.filter((one) => {
      if (methodRank(one.method, method) === undefined) return false;
      const spelled = compiled(one.template).path(params);
      return spelled !== undefined && canonicalUrlPath(spelled) === wanted;
    });
    const rank = (one: CatalogRoute) => methodRank(one.method, method)!;
    const served = candidates.sort((a, b) => rank(a) - rank(b))[0];
    return { template: served?.template, params, route: served };
  };
}

/**
 * Whether a named parameter is empty (`/things/` on `/things/:id`): `findRoute` walks the tree,
 * which takes it, but the compiled router that serves requests answers 404 (a wildcard may be
 * empty in both).
 */
function hasEmptyParam(params: unknown): boolean {
  if (params === null || typeof params !== 'object') return false;
  return Object.entries(params).some(([name, value]) => name !== '*' && value === '');
}

/** How closely a declared method answers a request's: itself, GET for HEAD, then `ALL`. */
function methodRank(declared: RequestMethod, method: string): number | undefined {
  const name = RequestMethod[declared];
  if (name === method) return 0;
  if (method === 'HEAD' && declared === RequestMethod.GET) return 1;
  return declared === RequestMethod.ALL ? 2 : undefined;
}
