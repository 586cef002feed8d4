import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

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

/** The first row of a hand-written query, or null. */
export async function selectOne<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T | null> {
  const rows = await manager.query<T[]>(sql, params);
  return rows[0] ?? null;
}
