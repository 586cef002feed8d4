/** Row locks other modules may ask an owning service for: `update` to change a row, `share` to refer to it. */
export type RowLock = 'update' | 'share';

/** Each lock as SQL. */
export const LOCK_CLAUSES = { update: 'FOR UPDATE', share: 'FOR SHARE' } as const;
