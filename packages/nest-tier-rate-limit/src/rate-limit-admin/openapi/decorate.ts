import type { OpenApiClass } from './rate-limit-admin-open-api.js';

/** Instance fields of `T` with string names (what property and method decorators receive). */
type Member<T> = keyof T & string;

/**
 * Applies one property decorator to each named field of `dto`, in the order given (the order of
 * the schema's properties), as `@decorator` above each field would.
 */
export function decorateProperties<T>(
  dto: abstract new (...args: never[]) => T,
  decorators: Record<Member<T>, PropertyDecorator>,
): void {
  for (const [field, decorator] of Object.entries<PropertyDecorator>(decorators)) {
    decorator(dto.prototype as object, field);
  }
}

/**
 * Applies method decorators to `controller.prototype[method]`, last first, as TypeScript applies
 * them when written above the method, then stores the resulting descriptor.
 * @throws Error when the controller has no such method
 */
export function decorateMethod<T>(
  controller: abstract new (...args: never[]) => T,
  method: Member<T>,
  ...decorators: MethodDecorator[]
): void {
  const prototype = controller.prototype as object;
  let descriptor = Object.getOwnPropertyDescriptor(prototype, method);
  if (typeof descriptor?.value !== 'function') {
    throw new Error(`${controller.name}.${method} is not a method`);
  }
  for (const decorator of [...decorators].reverse()) {
    const returned = decorator(prototype, method, descriptor) as PropertyDescriptor | undefined;
    descriptor = returned ?? descriptor;
  }
  Object.defineProperty(prototype, method, descriptor);
}

/**
 * Applies class decorators to `target`, last first. A decorator returning a replacement class
 * cannot take effect here (the class is already exported): Swagger's return their target.
 */
export function decorateClass(target: OpenApiClass, ...decorators: ClassDecorator[]): void {
  for (const decorator of [...decorators].reverse()) decorator(target);
}
