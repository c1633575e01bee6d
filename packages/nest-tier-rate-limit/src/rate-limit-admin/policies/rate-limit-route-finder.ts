import { Injectable, NotImplementedException } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { catalogRoutes } from './route-catalog.js';
import { type RouteLookup, routeLookup, type RouteMatch } from './route-lookup.js';

/**
 * Which of the app's routes serves a request, as its HTTP adapter would route it. The routes are
 * read once, on the first question (the app has registered them all by then).
 */
@Injectable()
export class RateLimitRouteFinder {
  private lookup: RouteLookup | undefined;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly config: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * The route serving `method` (upper case) and `path` (a URL path without query), or
   * `undefined` when the router has none: a request there would be a 404.
   * @throws NotImplementedException on an HTTP adapter other than Express or Fastify
   */
  find(method: string, path: string): RouteMatch | undefined {
    this.lookup ??= this.build();
    return this.lookup(method, path);
  }

  private build(): RouteLookup {
    const adapter = this.adapterHost.httpAdapter;
    // As Nest does when it registers a route (Express turns a bare `*` into `{*path}`).
    const normalize = (path: string) => adapter.normalizePath(path);
    const lookup = routeLookup(adapter, catalogRoutes(this.modules, this.config, normalize));
    if (lookup === undefined) {
      throw new NotImplementedException(
        `Telling which route serves a path needs the Express or Fastify adapter, not ${adapter.getType()}`,
      );
    }
    return lookup;
  }
}
