import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DomainEventRecord } from '../events/event.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event to one endpoint, and how its attempts went. Its id is the `webhook-id` a receiver
 * dedupes on: the same across the retries of the delivery, new for a replay.
 */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_endpoint_idx', ['endpointId', 'id'])
@Check('webhook_deliveries_status_check', `status IN ('pending', 'succeeded', 'failed')`)
@Check('webhook_deliveries_attempts_check', 'attempts >= 0')
export class WebhookDelivery {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  id!: string;

  @Column()
  endpointId!: number;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_deliveries_endpoint_id_fkey' })
  endpoint?: WebhookEndpoint;

  @Column({ type: 'bigint' })
  eventId!: string;

  @ManyToOne(() => DomainEventRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'webhook_deliveries_event_id_fkey' })
  event?: DomainEventRecord;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ default: 0 })
  attempts!: number;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  /** Why the last attempt failed, in a few words (a network error, a timeout); never a secret. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** The lease of the attempt in flight: nobody else sends this delivery before it passes. */
  @Column({ type: 'timestamptz', nullable: true })
  attemptingUntil!: Date | null;

  /** Retries stop after this: the next failed attempt fails the delivery. */
  @Column({ type: 'timestamptz' })
  retryUntil!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
