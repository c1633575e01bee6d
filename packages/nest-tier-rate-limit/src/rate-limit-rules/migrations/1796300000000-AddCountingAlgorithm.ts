import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each rule names its counting algorithm (`fixed-window` for every existing rule, and by default,
 * so the original design's seeding SQL still runs unchanged) and, for `gcra`, a burst.
 */
export class AddCountingAlgorithm1796300000000 implements MigrationInterface {
  /** Migration name as TypeORM records it (class name with its timestamp). */
  name = 'AddCountingAlgorithm1796300000000';

  /** Adds `algorithm` and `burst`, with the checks the entity declares. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "rate_limits"
        ADD "algorithm" character varying(20) NOT NULL DEFAULT 'fixed-window',
        ADD "burst" integer`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_limits" ADD CONSTRAINT "CHK_rate_limits_algorithm"
        CHECK ("algorithm" IN ('fixed-window', 'sliding-window', 'gcra'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_limits" ADD CONSTRAINT "CHK_rate_limits_burst"
        CHECK ("burst" IS NULL OR ("algorithm" = 'gcra' AND "burst" > 0))`,
    );
  }

  /** Drops both columns and their checks. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rate_limits" DROP CONSTRAINT "CHK_rate_limits_burst"`);
    await queryRunner.query(
      `ALTER TABLE "rate_limits" DROP CONSTRAINT "CHK_rate_limits_algorithm"`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_limits" DROP COLUMN "burst", DROP COLUMN "algorithm"`,
    );
  }
}
