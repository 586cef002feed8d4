/**
 * The page sizes of every list when the settings leave them out (`PAGE_SIZE_DEFAULT`,
 * `PAGE_SIZE_MAX`), and the most `PAGE_SIZE_MAX` may be. Here rather than in pagination.ts so the
 * configuration loader reads them without the DTO and OpenAPI machinery.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** One page costs memory and a statement time in proportion: a setting above this is refused. */
export const PAGE_SIZE_LIMIT = 1000;
