import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * A verification link's token (its SHA-256 only) for one address: the account's own at
 * registration, or a new one it asked to move to, which becomes its email only once verified.
 */
@Entity('email_verifications')
export class EmailVerification {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'email_verifications_pkey' })
  id!: number;

  @Index('email_verifications_user_id_idx')
  @Column()
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'email_verifications_user_id_fkey' })
  user?: User;

  /** The address the link was sent to. */
  @Column({ type: 'citext' })
  email!: string;

  @Index('email_verifications_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the link was followed, or voided by a newer one. */
  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
