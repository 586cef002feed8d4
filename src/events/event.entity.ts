import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something that happened to a record, committed in the transaction that made it happen: the
 * outbox webhooks are delivered from and replayed from. It holds ids and the names of changed
 * fields, never a field's value (a receiver fetches the record with its own token).
 */
@Entity('events')
@Index('events_occurred_at_idx', ['occurredAt', 'id'])
export class DomainEventRecord {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'events_pkey' })
  id!: string;

  @Column({ length: 64 })
  type!: string;

  /** The clinic of the record (of its patient), looked up as the event is written; null for a personal one. No foreign key, as in the audit trail. */
  @Column({ type: 'integer', nullable: true })
  clinicId!: number | null;

  /** The payload's `data` without its clinic (added from `clinicId` when sent). */
  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;
}
