import { CreateRateLimitSchema1795765800000 } from './1795765800000-CreateRateLimitSchema.js';
import { SeedTiersAndRules1795765900000 } from './1795765900000-SeedTiersAndRules.js';

/**
 * Every migration, in order, as classes (no globs: the same list works from the build, under
 * Jest and from the CLI). A migration made with `migration:create` / `migration:generate` must be
 * added here.
 */
export const migrations = [CreateRateLimitSchema1795765800000, SeedTiersAndRules1795765900000];
