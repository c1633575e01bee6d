import { CreateDateColumn, DeleteDateColumn, UpdateDateColumn } from 'typeorm';

/** The timestamps both tables share: created, last updated, and soft-deleted (`null` while live). */
export abstract class SoftDeletableEntity {
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Set when deleted; a deleted row never applies and its name can be used again. */
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
