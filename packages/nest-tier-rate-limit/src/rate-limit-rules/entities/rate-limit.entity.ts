import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { RateLimitAlgorithm } from '../../rate-limit/algorithms/rate-limit-algorithm.js';
import type { RateLimitMode } from '../../rate-limit/rate-limit-rule.js';
import { SoftDeletableEntity } from './soft-deletable.entity.js';
import { Tier } from './tier.entity.js';

/** The partial unique index that keeps one live rule per tier, path and period. */
export const LIVE_RULE_PER_PERIOD_INDEX = 'UQ_rate_limits_tier_path_period_live';

/**
 * An operator rule: callers of `tier` may call `path` `limit` times per `period` seconds. One
 * live rule per tier, path and period; the path `*` is the tier's total across every route.
 */
@Entity('rate_limits')
@Index('UQ_rate_limits_name_live', ['name'], { unique: true, where: '"deleted_at" IS NULL' })
@Index(LIVE_RULE_PER_PERIOD_INDEX, ['tierId', 'path', 'period'], {
  unique: true,
  where: '"deleted_at" IS NULL',
})
@Check('CHK_rate_limits_algorithm', `"algorithm" IN ('fixed-window', 'sliding-window', 'gcra')`)
@Check('CHK_rate_limits_mode', `"mode" IN ('enforce', 'shadow')`)
@Check('CHK_rate_limits_burst', `"burst" IS NULL OR ("algorithm" = 'gcra' AND "burst" > 0)`)
export class RateLimit extends SoftDeletableEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'tier_id', type: 'integer' })
  tierId!: number;

  @ManyToOne(() => Tier, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'tier_id', foreignKeyConstraintName: 'FK_rate_limits_tier' })
  tier?: Tier;

  /** Unique among live rules, 1–100 characters. */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /**
   * Sanitized path or route template (`api_v1_widgets`, `api_v1_widgets_{id}`), or `*` for the
   * tier's total budget across every guarded route.
   */
  @Column({ type: 'varchar', length: 255 })
  path!: string;

  @Column({ type: 'integer' })
  limit!: number;

  /** Seconds. */
  @Column({ type: 'integer' })
  period!: number;

  /** How requests are counted (see the README's "Counting algorithms"). */
  @Column({ type: 'varchar', length: 20, default: 'fixed-window' })
  algorithm!: RateLimitAlgorithm;

  /** `gcra` only: requests that may pass at once after a pause; null means the limit. */
  @Column({ type: 'integer', nullable: true })
  burst!: number | null;

  /** `enforce` refuses over the limit; `shadow` counts and reports but never refuses. */
  @Column({ type: 'varchar', length: 10, default: 'enforce' })
  mode!: RateLimitMode;
}
