import type { Pool } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager, type EntityMetadata, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * The hot paths (the caller's lookup on every request, lists, reads by id, booking) send
 * hand-written SQL: building a statement with TypeORM's query builder and hydrating its rows cost
 * more CPU per request than the rest of the request together. These helpers keep such SQL short
 * and its rows shaped like the entities, so the DTO mappers and the callers stay the same.
 */

/** Positional parameters of a hand-written statement: `add(value)` returns its placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

const selectLists = new WeakMap<EntityMetadata, Map<string, string>>();

/**
 * The select list of an entity's columns, each under its property name (`p.created_by_id AS
 * "createdById"`), so a row of a hand-written query is shaped like the entity. A `date` is sent
 * as 'YYYY-MM-DD' text, as TypeORM hydrates it (pg would make a local-midnight Date of it).
 * Built once per entity and alias from the entity's metadata, so it follows the entity.
 */
export function columnsOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  const metadata = manager.connection.getMetadata(entity);
  let byAlias = selectLists.get(metadata);
  if (!byAlias) selectLists.set(metadata, (byAlias = new Map<string, string>()));
  let list = byAlias.get(alias);
  if (!list) {
    list = metadata.columns
      .map(({ databaseName, propertyName, type }) => {
        const column = `${alias}."${databaseName}"`;
        return `${type === 'date' ? `to_char(${column}, 'YYYY-MM-DD')` : column} AS "${propertyName}"`;
      })
      .join(', ');
    byAlias.set(alias, list);
  }
  return list;
}

/** The pg pool under a TypeORM DataSource on PostgreSQL. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * The rows of a hand-written statement. Inside a transaction it runs on the transaction's
 * connection; otherwise straight on the pool, as `manager.query` would but without the
 * QueryRunner it builds per statement. Errors are TypeORM's either way (QueryFailedError), so
 * the error filter and the log's redaction treat both alike.
 */
export async function query<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  if (manager.queryRunner) return manager.query<T[]>(sql, params);
  // Not `pool.query`: it calls the client with a callback, past the answer timeout that
  // data-source-options.ts puts on the client's promise form.
  const client = await poolOf(manager.connection).connect();
  // Out of the pool, a connection that breaks emits 'error' with nobody listening, which would
  // end the process (as TypeORM's QueryRunner does, listen while it is out). The query rejects
  // too, and the broken connection goes back marked as such, so the pool drops it.
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    return (await client.query(sql, params)).rows as T[];
  } catch (error) {
    throw new QueryFailedError(sql, params, error as Error);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** The first row of a hand-written query, or null. */
export async function selectOne<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T | null> {
  const rows = await query<T>(manager, sql, params);
  return rows[0] ?? null;
}
