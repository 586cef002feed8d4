import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { Clinic } from '../clinics/clinic.entity';
import { Timestamped } from '../core/database/timestamps';
import { User } from '../users/user.entity';

/**
 * A receiver of events: its URL, the event types it takes, and the clinic whose events it gets
 * (null: every event, personal ones too; only admins register such). Its signing secrets are kept
 * sealed (webhook-secrets.ts), never in a response after the one that shows a new one.
 */
@Entity('webhook_endpoints')
@Check('webhook_endpoints_events_check', 'cardinality(events) > 0')
@Check('webhook_endpoints_failures_check', 'consecutive_failures >= 0')
@Check('webhook_endpoints_previous_secret_check', '(previous_secret IS NULL) = (previous_secret_expires_at IS NULL)')
@Check('webhook_endpoints_deleted_inactive_check', 'deleted_at IS NULL OR NOT is_active')
export class WebhookEndpoint extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'webhook_endpoints_pkey' })
  id!: number;

  @Column({ length: 2000 })
  url!: string;

  @Column({ type: 'varchar', length: 64, array: true })
  events!: string[];

  @Index('webhook_endpoints_clinic_idx')
  @Column({ type: 'integer', nullable: true })
  clinicId!: number | null;

  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'clinic_id', foreignKeyConstraintName: 'webhook_endpoints_clinic_id_fkey' })
  clinic?: Clinic;

  @Column({ length: 500, default: '' })
  description!: string;

  /** Off when its owner turns it off, when failed deliveries disable it, and once it is deleted. */
  @Column({ default: true })
  isActive!: boolean;

  /** The signing secret, sealed. */
  @Column({ type: 'text' })
  secret!: string;

  /** The secret before the last rotation, sealed; it signs beside the new one until it expires. */
  @Column({ type: 'text', nullable: true })
  previousSecret!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Deliveries in a row that failed after all their retries; a success sets it back to 0. */
  @Column({ default: 0 })
  consecutiveFailures!: number;

  /** When failed deliveries disabled it (null: they did not, or it was turned on again since). */
  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** Deleted endpoints keep their row, so their deliveries stay on record. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @Column()
  createdById!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'webhook_endpoints_created_by_id_fkey' })
  createdBy?: User;
}
