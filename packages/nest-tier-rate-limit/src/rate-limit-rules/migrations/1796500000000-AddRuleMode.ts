import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each rule has a mode: `enforce` (every existing rule, and by default, so the original design's
 * seeding SQL still runs unchanged) or `shadow`, which counts and reports but never refuses.
 */
export class AddRuleMode1796500000000 implements MigrationInterface {
  /** Migration name as TypeORM records it (class name with its timestamp). */
  name = 'AddRuleMode1796500000000';

  /** Adds `mode` with the check the entity declares. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "rate_limits" ADD "mode" character varying(10) NOT NULL DEFAULT 'enforce'`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_limits" ADD CONSTRAINT "CHK_rate_limits_mode"
        CHECK ("mode" IN ('enforce', 'shadow'))`,
    );
  }

  /** Drops the column and its check. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rate_limits" DROP CONSTRAINT "CHK_rate_limits_mode"`);
    await queryRunner.query(`ALTER TABLE "rate_limits" DROP COLUMN "mode"`);
  }
}
