import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rules schema: `tiers` and `rate_limits`, soft-deleted (`deleted_at`), with names unique
 * among live rows, one live rule per (tier, path), and rules bound to an existing tier.
 * `created_at` / `updated_at` default to `now()`, so the original design's seeding SQL runs
 * unchanged. Constraint names match the entities, so `migration:generate` finds no difference.
 */
export class CreateRateLimitSchema1795765800000 implements MigrationInterface {
  /** Migration name as TypeORM records it (class name with its timestamp). */
  name = 'CreateRateLimitSchema1795765800000';

  /** Creates both tables, the partial unique indexes and the foreign key. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tiers" (
        "id" SERIAL NOT NULL,
        "name" character varying(50) NOT NULL,
        "description" character varying(500),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_908405492b9b2c2ae1cea1e1cc0" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_tiers_name_live" ON "tiers" ("name") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "rate_limits" (
        "id" SERIAL NOT NULL,
        "tier_id" integer NOT NULL,
        "name" character varying(100) NOT NULL,
        "path" character varying(255) NOT NULL,
        "limit" integer NOT NULL,
        "period" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_3b4449f1f5fc167d921ee619f65" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_rate_limits_tier_path_live" ON "rate_limits" ("tier_id", "path")
        WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_rate_limits_name_live" ON "rate_limits" ("name")
        WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_limits" ADD CONSTRAINT "FK_rate_limits_tier" FOREIGN KEY ("tier_id")
        REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  /** Drops everything `up` created, in reverse order. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rate_limits" DROP CONSTRAINT "FK_rate_limits_tier"`);
    await queryRunner.query(`DROP INDEX "UQ_rate_limits_name_live"`);
    await queryRunner.query(`DROP INDEX "UQ_rate_limits_tier_path_live"`);
    await queryRunner.query(`DROP TABLE "rate_limits"`);
    await queryRunner.query(`DROP INDEX "UQ_tiers_name_live"`);
    await queryRunner.query(`DROP TABLE "tiers"`);
  }
}
