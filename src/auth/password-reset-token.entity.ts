import { Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { MailedToken } from './mailed-token.entity';

/** A password reset link's token, stored as its SHA-256 only; single use, and voided by a newer request. */
@Entity('password_reset_tokens')
@Index('password_reset_tokens_user_id_idx', ['userId'])
@Index('password_reset_tokens_token_hash_key', ['tokenHash'], { unique: true })
export class PasswordResetToken extends MailedToken {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'password_reset_tokens_pkey' })
  id!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'password_reset_tokens_user_id_fkey' })
  user?: User;
}
