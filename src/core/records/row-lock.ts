/** Row locks other modules may ask an owning service for: `update` to change a row, `share` to refer to it. */
export type RowLock = 'update' | 'share';

export const LOCK_MODES = { update: 'pessimistic_write', share: 'pessimistic_read' } as const;
