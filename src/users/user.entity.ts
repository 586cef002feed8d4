import { Check, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { Role, ROLES } from './role';

@Entity('users')
@Unique('users_username_key', ['username'])
@Unique('users_email_key', ['email'])
@Check('users_username_format', `username ~ '^[A-Za-z0-9@.+_-]{3,150}$'`)
export class User extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'users_pkey' })
  id!: number;

  /** citext: unique and matched case-insensitively, shown as the user typed it. */
  @Column({ type: 'citext' })
  username!: string;

  @Column({ type: 'citext' })
  email!: string;

  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role', default: Role.Patient })
  role!: Role;

  @Column({ default: true })
  isActive!: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  dateJoined!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLogin!: Date | null;
}
