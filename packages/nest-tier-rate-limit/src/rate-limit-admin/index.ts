export * from './counters/rate-limit-counters.controller.js';
export * from './counters/rate-limit-counters.dto.js';
export * from './counters/rate-limit-counters.service.js';
export {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  DatabaseUnavailableInterceptor,
} from './database-unavailable.interceptor.js';
export * from './openapi/index.js';
export { MAX_ITEMS_PER_PAGE, MAX_PAGE, type Page, PaginationQueryDto } from './pagination.js';
export * from './policies/rate-limit-policies.controller.js';
export * from './policies/rate-limit-policies.dto.js';
export * from './policies/rate-limit-policy-explainer.js';
export { RateLimitRouteFinder } from './policies/rate-limit-route-finder.js';
export type { CatalogRoute } from './policies/route-catalog.js';
export type { RouteMatch } from './policies/route-lookup.js';
export * from './rate-limit-admin.module.js';
export * from './rate-limit-admin.options.js';
export { MAX_RULE_NAME_LENGTH } from './rate-limits/default-rule-name.js';
export * from './rate-limits/rate-limit.dto.js';
export * from './rate-limits/rate-limits.controller.js';
export * from './rate-limits/rate-limits.service.js';

export * from './request-shape.js';
export * from './strict-validation.pipe.js';
export { SuperuserWritesGuard } from './superuser-writes.guard.js';
export * from './tiers/tier.dto.js';
export * from './tiers/tiers.controller.js';
export * from './tiers/tiers.service.js';
export { RateLimitAdminUiController } from './ui/rate-limit-admin-ui.controller.js';
