import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { Role, ROLES } from '../core/auth/role';

@Entity('users')
@Unique('users_username_key', ['username'])
@Unique('users_email_key', ['email'])
@Check('users_username_format', `username ~ '^[A-Za-z0-9@.+_-]{3,150}$'`)
@Index('users_username_skeleton_key', ['usernameSkeleton'], { unique: true })
@Index('users_email_skeleton_key', ['emailSkeleton'], { unique: true })
// Unique on the number's digits and leading `+` (an expression index: see the AccountPhoneAndName migration).
@Index('users_phone_key', { synchronize: false })
export class User extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'users_pkey' })
  id!: number;

  /** citext: unique and matched case-insensitively, shown as the user typed it. */
  @Column({ type: 'citext' })
  username!: string;

  @Column({ type: 'citext' })
  email!: string;

  /**
   * TR39 confusable skeletons (users/account-names.ts), set on insert (UsersRepository, or UserSkeletonsSubscriber):
   * unique, so no account looks like another. Null only for an account that existed before them
   * and looks like an older one, which holds the skeleton (see the AccountNameSkeletons migration).
   */
  @Column({ type: 'text', nullable: true })
  usernameSkeleton!: string | null;

  @Column({ type: 'text', nullable: true })
  emailSkeleton!: string | null;

  @Column({ type: 'text' })
  passwordHash!: string;

  /** As written; unique by its digits and leading `+` (users_phone_key). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 150, nullable: true })
  fullName!: string | null;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role', default: Role.Patient })
  role!: Role;

  @Column({ default: true })
  isActive!: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  dateJoined!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLogin!: Date | null;

  /**
   * Access tokens issued before this instant are refused: logging out everywhere, a password
   * change or reset and a deactivation move it, so tokens end with the sessions, not 15 minutes later.
   */
  @Column({ type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  /** Whether its owner followed a verification link sent to `email` (or a reset link, which proves the same). */
  @Column({ default: false })
  emailVerified!: boolean;

  /** Failed logins since the last success or lock; at LOGIN_LOCKOUT_THRESHOLD the account locks. */
  @Column({ type: 'smallint', default: 0 })
  failedLogins!: number;

  /** Locked until then: a login answers as for a wrong password, even with the right one. */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** Locks since the last successful login: each lasts twice as long as the one before. */
  @Column({ type: 'smallint', default: 0 })
  lockCount!: number;

  /** The TOTP secret of enabled two-factor authentication, encrypted (auth/mfa/secret-box.ts); null without it. */
  @Column({ type: 'text', nullable: true })
  mfaSecret!: string | null;

  /** A secret set up but not yet confirmed by a code, encrypted likewise; it replaces mfaSecret once enabled. */
  @Column({ type: 'text', nullable: true })
  mfaPendingSecret!: string | null;

  /** When two-factor authentication was enabled; null while it is off. */
  @Column({ type: 'timestamptz', nullable: true })
  mfaEnabledAt!: Date | null;

  /** The TOTP time step of the last code accepted: a code of this step or an earlier one is refused (no replay). */
  @Column({ type: 'integer', nullable: true })
  mfaLastStep!: number | null;
}
