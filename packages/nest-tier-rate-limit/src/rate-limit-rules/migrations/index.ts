import { CreateRateLimitSchema1795765800000 } from './1795765800000-CreateRateLimitSchema.js';
import { AddCountingAlgorithm1796300000000 } from './1796300000000-AddCountingAlgorithm.js';
import { OneLiveRulePerPeriod1796400000000 } from './1796400000000-OneLiveRulePerPeriod.js';
import { AddRuleMode1796500000000 } from './1796500000000-AddRuleMode.js';

export {
  AddCountingAlgorithm1796300000000,
  AddRuleMode1796500000000,
  CreateRateLimitSchema1795765800000,
  OneLiveRulePerPeriod1796400000000,
};

/**
 * The schema of the rules (tables `tiers` and `rate_limits`, their indexes and foreign key), for
 * the host's migration runner: add them to the DataSource's `migrations`, before the host's own.
 * No example rows: seeding tiers and rules is the host's choice.
 * @example new DataSource({ ...options, migrations: [...rateLimitMigrations, ...mine] })
 */
export const rateLimitMigrations = [
  CreateRateLimitSchema1795765800000,
  AddCountingAlgorithm1796300000000,
  OneLiveRulePerPeriod1796400000000,
  AddRuleMode1796500000000,
];
