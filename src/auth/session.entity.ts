import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { User } from '../users/user.entity';

/**
 * One login and everything it led to: the family of refresh tokens one login started, with what
 * the account's owner needs to recognise it in the list of their sessions. Ending it revokes its
 * refresh tokens.
 */
@Entity('sessions')
export class Session extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'sessions_pkey' })
  id!: number;

  /** The `family_id` of its refresh tokens. */
  @Index('sessions_family_id_key', { unique: true })
  @Column('uuid')
  familyId!: string;

  @Index('sessions_user_id_idx')
  @Column()
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: User;

  /** The User-Agent of the login, cut to 300 characters. */
  @Column({ type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'text', nullable: true })
  clientAddress!: string | null;

  /** The last refresh (the login at first). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastUsedAt!: Date;

  /** When its newest refresh token expires. */
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Logged out, ended by its owner or an admin, or revoked after a refresh token was replayed. */
  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
