import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several live rules for one tier and path, one per period (a burst limit beside a sustained
 * one): the partial unique index on (tier, path) becomes one on (tier, path, period).
 */
export class OneLiveRulePerPeriod1796400000000 implements MigrationInterface {
  /** Migration name as TypeORM records it (class name with its timestamp). */
  name = 'OneLiveRulePerPeriod1796400000000';

  /** Replaces the (tier, path) index by the (tier, path, period) one. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_rate_limits_tier_path_live"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_rate_limits_tier_path_period_live"
        ON "rate_limits" ("tier_id", "path", "period") WHERE "deleted_at" IS NULL`,
    );
  }

  /**
   * Restores one live rule per (tier, path). Refuses, naming them, while live rules share a tier
   * and path: which of them to keep is the operator's choice, never this migration's.
   */
  public async down(queryRunner: QueryRunner): Promise<void> {
    const shared = (await queryRunner.query(
      `SELECT "tier_id", "path", string_agg("name", ', ' ORDER BY "id") AS "names"
        FROM "rate_limits" WHERE "deleted_at" IS NULL
        GROUP BY "tier_id", "path" HAVING count(*) > 1 ORDER BY "tier_id", "path"`,
    )) as { tier_id: number; path: string; names: string }[];
    if (shared.length > 0) {
      const list = shared.map((s) => `tier ${s.tier_id} path ${s.path}: ${s.names}`).join('; ');
      throw new Error(
        `Cannot restore one live rule per tier and path: delete all but one of each (${list})`,
      );
    }
    await queryRunner.query(`DROP INDEX "UQ_rate_limits_tier_path_period_live"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_rate_limits_tier_path_live" ON "rate_limits" ("tier_id", "path")
        WHERE "deleted_at" IS NULL`,
    );
  }
}
