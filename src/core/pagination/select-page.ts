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

/** The column that carries the list's total on every row of a page. */
const TOTAL = 'listTotal';

/**
 * One page of a list and the total it was cut from, in one statement: the count is a subquery
 * that PostgreSQL runs once, so a list costs one round trip instead of two and the total is
 * counted in the same snapshot as the page. A page past the end has no row to carry the total:
 * that rare case counts on its own. The rows keep the extra `listTotal` field; the mappers that
 * turn them into DTOs name the fields they copy.
 */
export async function selectPage<T>(manager: EntityManager, sql: ListSql, params: SqlParams, page: PageQueryDto): Promise<Page<T>> {
  const where = sql.where.length > 0 ? ` WHERE ${sql.where.join(' AND ')}` : '';
  const count = `SELECT count(*) FROM ${sql.from}${where}`;
  // Validated integers (page ≤ MAX_PAGE, page_size ≤ MAX_PAGE_SIZE), written out so the page and the count share one parameter list.
  const limit = `LIMIT ${Math.trunc(page.page_size)} OFFSET ${Math.trunc(page.offset)}`;
  const rows = await query<T & { [TOTAL]: string }>(
    manager,
    `SELECT ${sql.select}, (${count}) AS "${TOTAL}" FROM ${sql.from}${where} ORDER BY ${sql.orderBy} ${limit}`,
    params.values,
  );
  if (rows.length > 0) return new Page(rows, Number(rows[0][TOTAL]), page);
  if (page.offset === 0) return new Page(rows, 0, page);
  const [{ count: total }] = await query<{ count: string }>(manager, count, params.values);
  return new Page(rows, Number(total), page);
}
