import type { RequestMethod, Type, VersioningOptions } from '@nestjs/common';
import {
  addLeadingSlash,
  METHOD_METADATA,
  MODULE_PATH,
  PATH_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/internal';
import { type ApplicationConfig, MetadataScanner, type ModulesContainer } from '@nestjs/core';
import type { RoutePathMetadata } from '@nestjs/core/router/interfaces/route-path-metadata.interface.js';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';

type Version = RoutePathMetadata['controllerVersion'];

/** One route Nest registered on the HTTP adapter, and the controller method serving it. */
export interface CatalogRoute {
  /** The full path as the adapter has it (`/api/v1/widgets/:id`): the guard's route template. */
  template: string;
  /** The declared method (`ALL` for `@All()`). */
  method: RequestMethod;
  controller: Type;
  /** The controller's method, as `ExecutionContext.getHandler()` returns it. */
  handler: (...args: unknown[]) => unknown;
}

/**
 * Every route of the app's controllers, built as Nest's `RoutesResolver` builds them: modules in
 * the container's order, `RouterModule` paths, the global prefix and its exclusions, URI versions
 * (with Nest's own `RoutePathFactory`), then the adapter's `normalizePath`.
 * @param normalize the HTTP adapter's path normalization, when it has one
 */
export function catalogRoutes(
  modules: ModulesContainer,
  config: ApplicationConfig,
  normalize: (path: string) => string = (path) => path,
): CatalogRoute[] {
  const factory = new RoutePathFactory(config);
  const globalPrefix = addLeadingSlash(config.getGlobalPrefix());
  const versioningOptions = config.getVersioning();
  const scanner = new MetadataScanner();
  const routes: CatalogRoute[] = [];
  for (const module of modules.values()) {
    const modulePath = (Reflect.getMetadata(MODULE_PATH + modules.applicationId, module.metatype) ??
      Reflect.getMetadata(MODULE_PATH, module.metatype)) as string | undefined;
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const controller = metatype as Type;
      const base = { modulePath, globalPrefix, versioningOptions };
      const controllerVersion = versionOf(controller, versioningOptions);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as CatalogRoute['handler'];
        const methodPaths = pathsOf(handler);
        if (methodPaths === undefined) continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
        const methodVersion = Reflect.getMetadata(VERSION_METADATA, handler) as Version;
        for (const ctrlPath of pathsOf(controller) ?? ['/'])
          for (const methodPath of methodPaths) {
            const metadata: RoutePathMetadata = {
              ...base,
              ...{ ctrlPath, methodPath, controllerVersion, methodVersion },
            };
            for (const path of factory.create(metadata, method))
              routes.push({ template: normalize(path), method, controller, handler });
          }
      }
    }
  }
  return routes;
}

/** The paths a controller or method declares, each with a leading slash, as Nest reads them. */
function pathsOf(target: object): string[] | undefined {
  const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  if (path === undefined) return undefined;
  return (Array.isArray(path) ? path : [path]).map((one) => addLeadingSlash(one));
}

/** The controller's version, or the default one, when the app versions its routes. */
function versionOf(controller: Type, versioning: VersioningOptions | undefined): Version {
  if (versioning === undefined) return undefined;
  return (Reflect.getMetadata(VERSION_METADATA, controller) ??
    versioning.defaultVersion) as Version;
}
