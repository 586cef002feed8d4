import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What one record of an old Django project became here (see the DjangoImports migration). */
@Entity('django_imports')
export class DjangoImport {
  /** Which old database: its layout and identity (see django-source.ts). */
  @PrimaryColumn({ type: 'varchar', length: 300, primaryKeyConstraintName: 'django_imports_pkey' })
  source!: string;

  /** user, patient, doctor, assignment or appointment. */
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'django_imports_pkey' })
  kind!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'django_imports_pkey' })
  oldId!: number;

  @Column({ type: 'integer' })
  newId!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  importedAt!: Date;
}
