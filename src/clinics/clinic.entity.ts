import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { User } from '../users/user.entity';

/** A clinic: accounts that work together as its members (clinic-member.entity.ts). */
@Entity('clinics')
export class Clinic extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'clinics_pkey' })
  id!: number;

  @Column({ length: 200 })
  name!: string;

  /** An IANA zone name, checked by the service. */
  @Column({ length: 64 })
  timezone!: string;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @Column()
  createdById!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'clinics_created_by_id_fkey' })
  createdBy?: User;
}
