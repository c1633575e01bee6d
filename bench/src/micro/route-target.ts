import type { CanActivate, INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';

/** The guarded route of a bench app, found in the app Nest built. */
export interface RouteTarget {
  /** The controller class (`WidgetsController`), for `ExecutionContext.getClass()`. */
  readonly controller: Type;
  /** Its handler, for `ExecutionContext.getHandler()`. */
  readonly handler: (...args: unknown[]) => unknown;
  /** The template Express reports as `req.route.path`: `/api/v1/widgets/:id`. */
  readonly template: string;
  /** The guard instance the router calls: the controller module's injectable. */
  readonly guard: CanActivate;
  /** Whether `app.get(GuardClass, { strict: false })` returns that same instance. */
  readonly sameAsAppGet: boolean;
}

const joinPath = (...parts: unknown[]) =>
  '/' +
  parts
    .map((part) => String(part).replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '')
    .join('/');

/**
 * Finds the one guarded controller of the app (the bench's stats route has no guard), its GET
 * handler and the guard instance Nest created for `@UseGuards`: guards given as classes are
 * instantiated as injectables of the controller's module, which is where the router reads them.
 */
export function locateGuardedRoute(app: INestApplication): RouteTarget {
  const found: RouteTarget[] = [];
  for (const moduleRef of app.get(ModulesContainer).values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      const guards = controller && (Reflect.getMetadata(GUARDS_METADATA, controller) as unknown);
      if (!controller || !Array.isArray(guards) || guards.length !== 1) continue;
      const guardClass = guards[0] as Type<CanActivate>;
      const guard = moduleRef.injectables.get(guardClass)?.instance as CanActivate | undefined;
      if (guard === undefined) throw new Error(`No instance of ${guardClass.name} in its module`);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const template = joinPath(
          Reflect.getMetadata(PATH_METADATA, controller),
          Reflect.getMetadata(PATH_METADATA, handler),
        );
        const viaAppGet = app.get(guardClass, { strict: false });
        const target = { controller, guard, template, sameAsAppGet: viaAppGet === guard };
        found.push({ ...target, handler: handler as RouteTarget['handler'] });
      }
    }
  }
  if (found.length !== 1) throw new Error(`Expected one guarded route, found ${found.length}`);
  return found[0];
}
