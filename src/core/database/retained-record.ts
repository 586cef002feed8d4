import { Column, DeleteDateColumn, VersionColumn } from 'typeorm';
import { Timestamped } from './timestamps';

/**
 * What patients, doctor profiles and assignments share: who created the record, a version for
 * optimistic concurrency (sent as the ETag), and a soft-delete time, since these records (the
 * clinical ones and the directory entries they point to) are retained, never erased.
 */
export abstract class RetainedRecord extends Timestamped {
  @Column()
  createdById!: number;

  @VersionColumn({ default: 1 })
  version!: number;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
