import type { EntityManager } from 'typeorm';
import { query, sql, type Sql } from '../database/sql';
import { Page, PageQueryDto } from './pagination';

/** A hand-written list query, in parts: the page and the count share its FROM and WHERE. */
export interface ListSql {
  select: Sql;
  from: Sql;
  /** Conditions, all of which must hold. */
  where: Sql[];
  orderBy: Sql;
  /** The statement that counts the list (`SELECT … AS count`), when `from` and `where` would not count it well. */
  count?: Sql;
  /**
   * Planned once per connection (a named prepared statement, its LIMIT and OFFSET parameters):
   * only for a list whose plan does not depend on its values (no pattern search, whose index
   * PostgreSQL picks by the pattern), of a few shapes.
   */
  prepared?: boolean;
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
export async function selectPage<T>(manager: EntityManager, list: ListSql, page: PageQueryDto): Promise<Page<T>> {
  // One fragment in both places: rendered once, so the page and the count share its parameters.
  const where = list.where.length > 0 ? sql` WHERE ${sql.join(list.where, ' AND ')}` : sql.empty;
  const count = list.count ?? sql`SELECT count(*) FROM ${list.from}${where}`;
  const [size, offset] = [Math.trunc(page.page_size), Math.trunc(page.offset)];
  // Validated integers (page ≤ MAX_PAGE, page_size ≤ PAGE_SIZE_MAX), written out unless the statement is prepared (one name per page otherwise).
  const limit = list.prepared ? sql`LIMIT ${size} OFFSET ${offset}` : sql`LIMIT ${sql.integer(size)} OFFSET ${sql.integer(offset)}`;
  const rows = await query<T & { [TOTAL]: string }>(
    manager,
    sql`SELECT ${list.select}, (${count}) AS "${sql.raw(TOTAL)}" FROM ${list.from}${where} ORDER BY ${list.orderBy} ${limit}`,
    { prepared: list.prepared },
  );
  if (rows.length > 0) return new Page(rows, Number(rows[0][TOTAL]), page);
  if (page.offset === 0) return new Page(rows, 0, page);
  const [{ count: total }] = await query<{ count: string }>(manager, count);
  return new Page(rows, Number(total), page);
}
