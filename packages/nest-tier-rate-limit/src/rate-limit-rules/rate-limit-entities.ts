import { RateLimit } from './entities/rate-limit.entity.js';
import { Tier } from './entities/tier.entity.js';

/**
 * The entities of the rules, for a host DataSource that lists its entities instead of using
 * `autoLoadEntities` (which picks them up from `RateLimitRulesModule` by itself).
 * @example TypeOrmModule.forRoot({ ...options, entities: [...rateLimitEntities, ...mine] })
 */
export const rateLimitEntities = [Tier, RateLimit];
