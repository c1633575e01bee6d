import { rateLimitMigrations } from 'nest-tier-rate-limit/rules';
import { SeedTiersAndRules1795765900000 } from './1795765900000-SeedTiersAndRules.js';

/**
 * Every migration, in order: the package's schema, then the demo's example rows, as classes (no globs: the same list works from the build, under
 * Jest and from the CLI). A migration made with `migration:create` / `migration:generate` must be
 * added here.
 */
export const migrations = [...rateLimitMigrations, SeedTiersAndRules1795765900000];
