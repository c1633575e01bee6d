import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** A plan callers belong to (`free`, `pro`…); rules apply per tier. Soft-deleted. */
@Entity('tiers')
@Index('UQ_tiers_name_live', ['name'], { unique: true, where: '"deleted_at" IS NULL' })
export class Tier {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Unique among live tiers, 1–50 characters. */
  @Column({ type: 'varchar', length: 50 })
  name!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Set when deleted; a deleted tier's rules never apply and its name can be reused. */
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
