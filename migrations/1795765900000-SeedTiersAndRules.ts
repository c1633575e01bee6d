import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The example tiers, with the ids the original design's seeding SQL refers to. */
export const SEED_TIERS = [
  { id: 1, name: 'free', description: 'Anonymous-grade plan: low limits.' },
  { id: 2, name: 'pro', description: 'Paying plan: ten times the free limits.' },
] as const;

/**
 * The example rules: reading one widget (the route template `api_v1_widgets_{id}`, so all ids
 * share one counter). They leave `api_v1_widgets` free for the original seeding SQL.
 */
export const SEED_RULES = [
  { tierId: 1, name: 'free_widget_read', path: 'api_v1_widgets_{id}', limit: 20, period: 60 },
  { tierId: 2, name: 'pro_widget_read', path: 'api_v1_widgets_{id}', limit: 200, period: 60 },
] as const;

const TIER_IDS = SEED_TIERS.map((tier) => tier.id);

/** Seeds the tiers `free` (id 1) and `pro` (id 2) and one example rule for each. */
export class SeedTiersAndRules1795765900000 implements MigrationInterface {
  /** Migration name as TypeORM records it (class name with its timestamp). */
  name = 'SeedTiersAndRules1795765900000';

  /** Inserts the tiers with explicit ids, moves the id sequence past them, adds the rules. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const { id, name, description } of SEED_TIERS) {
      await queryRunner.query(
        `INSERT INTO "tiers" ("id", "name", "description") VALUES ($1, $2, $3)`,
        [id, name, description],
      );
    }
    await resetTierSequence(queryRunner);
    for (const { tierId, name, path, limit, period } of SEED_RULES) {
      await queryRunner.query(
        `INSERT INTO "rate_limits" ("tier_id", "name", "path", "limit", "period")
          VALUES ($1, $2, $3, $4, $5)`,
        [tierId, name, path, limit, period],
      );
    }
  }

  /**
   * Deletes the seeded rules and tiers. Refuses, naming them, while other rules (live or
   * soft-deleted) still refer to the seeded tiers: those rows are not this migration's to drop.
   */
  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const { tierId, name, path } of SEED_RULES) {
      await queryRunner.query(
        `DELETE FROM "rate_limits" WHERE "tier_id" = $1 AND "name" = $2 AND "path" = $3`,
        [tierId, name, path],
      );
    }
    const others = (await queryRunner.query(
      `SELECT "name" FROM "rate_limits" WHERE "tier_id" = ANY($1) ORDER BY "id"`,
      [TIER_IDS],
    )) as { name: string }[];
    if (others.length > 0) {
      const names = others.map((rule) => rule.name).join(', ');
      throw new Error(
        `Cannot remove the seeded tiers free and pro: rules still use them (${names})`,
      );
    }
    await queryRunner.query(`DELETE FROM "tiers" WHERE "id" = ANY($1)`, [TIER_IDS]);
    await resetTierSequence(queryRunner);
  }
}

/** Points the tiers id sequence after the highest id (at 1 on an empty table). */
async function resetTierSequence(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(
    `SELECT setval(pg_get_serial_sequence('tiers', 'id'), COALESCE(MAX("id"), 0) + 1, false)
      FROM "tiers"`,
  );
}
