import { Column, DeleteDateColumn, VersionColumn } from 'typeorm';
import { Timestamped } from './timestamps';

/**
 * What patients, doctors and mappings share: who created the record, a version for
 * optimistic concurrency (sent as the ETag), and a soft-delete time, since clinical records
 * are retained, never erased.
 */
export abstract class ClinicalRecord extends Timestamped {
  @Column()
  createdById!: number;

  @VersionColumn({ default: 1 })
  version!: number;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
