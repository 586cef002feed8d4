import { CreateDateColumn, UpdateDateColumn } from 'typeorm';

/** `created_at` and `updated_at`, in UTC (timestamptz), on every table. */
export abstract class Timestamped {
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
