import { Column, CreateDateColumn } from 'typeorm';

/**
 * What the tokens of mailed links share (password resets, e-mail verifications): stored as their
 * SHA-256 only, valid until `expiresAt`, used once. Each table declares its own id, account
 * relation and indexes, whose names are its own.
 */
export abstract class MailedToken {
  @Column()
  userId!: number;

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
