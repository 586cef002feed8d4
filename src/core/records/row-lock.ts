import { sql, type Sql } from '../database/sql';

/**
 * Row locks other modules may ask an owning service for: `update` to change a row, `share` to
 * refer to it, `turns` to make the writers that refer to it take turns (FOR NO KEY UPDATE: it
 * waits for another `turns`, `share` or `update`, never for a foreign-key check).
 */
export type RowLock = 'update' | 'share' | 'turns';

/** Each lock as SQL. */
export const LOCK_CLAUSES: Readonly<Record<RowLock, Sql>> = {
  update: sql`FOR UPDATE`,
  share: sql`FOR SHARE`,
  turns: sql`FOR NO KEY UPDATE`,
};
