import { documentRateLimitCounters } from './rate-limit-counters.openapi.js';
import { documentRateLimitPolicies } from './rate-limit-policies.openapi.js';
import { documentRateLimits } from './rate-limits.openapi.js';
import type { RateLimitAdminOpenApi } from './rate-limit-admin-open-api.js';
import { documentPagination } from './shared.openapi.js';
import { documentTiers } from './tiers.openapi.js';

let documented = false;

/**
 * Adds the admin API's OpenAPI documentation (DTO schemas, responses, tags, bearer auth on the
 * writes) to its classes, with the decorator factories the host passes: the package itself never
 * imports Nest's Swagger module, a host without one installs nothing more. Call it before
 * `SwaggerModule.createDocument()`. Idempotent: a second call does nothing (Swagger's decorators
 * would otherwise merge each description with itself).
 * @example
 * ```ts
 * // `swagger`: the host's namespace import of the Nest Swagger package (`import * as swagger`).
 * documentRateLimitAdmin(swagger);
 * const document = swagger.SwaggerModule.createDocument(app, config);
 * ```
 */
export function documentRateLimitAdmin(swagger: RateLimitAdminOpenApi): void {
  if (documented) return;
  documented = true;
  documentPagination(swagger);
  documentRateLimits(swagger);
  documentTiers(swagger);
  documentRateLimitPolicies(swagger);
  documentRateLimitCounters(swagger);
}
