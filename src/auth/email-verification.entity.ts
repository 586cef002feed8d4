import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { MailedToken } from './mailed-token.entity';

/**
 * A verification link's token (its SHA-256 only) for one address: the account's own at
 * registration, or a new one it asked to move to, which becomes its email only once verified.
 */
@Entity('email_verifications')
@Index('email_verifications_user_id_idx', ['userId'])
@Index('email_verifications_token_hash_key', ['tokenHash'], { unique: true })
export class EmailVerification extends MailedToken {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'email_verifications_pkey' })
  id!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'email_verifications_user_id_fkey' })
  user?: User;

  /** The address the link was sent to. */
  @Column({ type: 'citext' })
  email!: string;
}
