import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One audited action. Append-only: a trigger (see the migration) refuses UPDATE and DELETE.
 * Names of changed fields are kept, never their values.
 */
@Entity('audit_events')
@Index('audit_events_entity_idx', ['entity', 'entityId', 'occurredAt'])
@Index('audit_events_actor_idx', ['actorId', 'occurredAt'])
@Index('audit_events_occurred_at_idx', ['occurredAt'])
@Index('audit_events_clinic_idx', ['clinicId', 'occurredAt'], { where: 'clinic_id IS NOT NULL' })
export class AuditEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'audit_events_pkey' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  /** No foreign key: the trail must outlive whatever it mentions. */
  @Column({ type: 'integer', nullable: true })
  actorId!: number | null;

  @Column({ length: 40 })
  action!: string;

  @Column({ length: 40 })
  entity!: string;

  @Column({ type: 'integer', nullable: true })
  entityId!: number | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  changedFields!: string[];

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ type: 'inet', nullable: true })
  clientIp!: string | null;

  /**
   * The clinic of the record, for its managers' trail: taken from the record as the entry is
   * written when the entry names none (see AuditRepository). No foreign key, as for the actor.
   */
  @Column({ type: 'integer', nullable: true })
  clinicId!: number | null;

  @Column({ type: 'enum', enum: AUDIT_OUTCOMES, enumName: 'audit_outcome' })
  outcome!: AuditOutcome;
}
