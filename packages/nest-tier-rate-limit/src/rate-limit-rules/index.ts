export * from './entities/rate-limit.entity.js';
export * from './entities/tier.entity.js';
export * from './migrations/index.js';
export * from './rate-limit-entities.js';
export * from './rate-limit-rule-cache.js';
export * from './rate-limit-rules.module.js';
export type { RateLimitRulesModuleOptions } from './rate-limit-rules.module-definition.js';
export { RATE_LIMIT_RULES_OPTIONS } from './rate-limit-rules.module-definition.js';
export * from './rule-table.js';
