import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { User } from '../users/user.entity';
import { Session } from './session.entity';

/**
 * One issued refresh token. Only its SHA-256 is stored. Tokens of one login form a family:
 * each refresh spends the presented token and issues the next; presenting a spent token
 * again means it was stolen, and the whole family is revoked.
 */
@Entity('refresh_tokens')
export class RefreshToken extends Timestamped {
  /** The token's `jti`. */
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'refresh_tokens_pkey' })
  id!: string;

  @Index('refresh_tokens_family_id_idx')
  @Column('uuid')
  familyId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_id', referencedColumnName: 'familyId', foreignKeyConstraintName: 'refresh_tokens_family_id_fkey' })
  session?: Session;

  @Index('refresh_tokens_user_id_idx')
  @Column()
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'refresh_tokens_user_id_fkey' })
  user?: User;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the token was exchanged for the next one (or logged out). */
  @Column({ type: 'timestamptz', nullable: true })
  spentAt!: Date | null;

  /** Set on the whole family when reuse was detected or the user was deactivated. */
  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
