import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletableEntity } from './soft-deletable.entity.js';

/** A plan callers belong to (`free`, `pro`…); rules apply per tier. Soft-deleted. */
@Entity('tiers')
@Index('UQ_tiers_name_live', ['name'], { unique: true, where: '"deleted_at" IS NULL' })
export class Tier extends SoftDeletableEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Unique among live tiers, 1–50 characters. */
  @Column({ type: 'varchar', length: 50 })
  name!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;
}
