import type { EntityManager } from 'typeorm';
import { query, type SqlParams } from '../database/sql';
import { Page, PageQueryDto } from './pagination';

/** A hand-written list query, in parts: the page and the count share its FROM and WHERE. */
export interface ListSql {
  select: string;
  from: string;
  /** Conditions, all of which must hold. */
  where: string[];
  orderBy: string;
}

/**
 * One page of a list and the total it was cut from. The count is skipped when the page itself
 * tells the total: a page that is not full and not past the end.
 */
export async function selectPage<T>(manager: EntityManager, sql: ListSql, params: SqlParams, page: PageQueryDto): Promise<Page<T>> {
  const where = sql.where.length > 0 ? ` WHERE ${sql.where.join(' AND ')}` : '';
  // Validated integers (page ≤ MAX_PAGE, page_size ≤ MAX_PAGE_SIZE), written out so both statements share one parameter list.
  const limit = `LIMIT ${Math.trunc(page.page_size)} OFFSET ${Math.trunc(page.offset)}`;
  const rows = await query<T>(manager, `SELECT ${sql.select} FROM ${sql.from}${where} ORDER BY ${sql.orderBy} ${limit}`, params.values);
  if (rows.length < page.page_size && (rows.length > 0 || page.offset === 0)) return new Page(rows, page.offset + rows.length, page);
  const [{ total }] = await query<{ total: string }>(manager, `SELECT count(*) AS total FROM ${sql.from}${where}`, params.values);
  return new Page(rows, Number(total), page);
}
