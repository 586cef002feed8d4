import type { Pool, PoolClient } from 'pg';
import {
  QueryFailedError,
  type DataSource,
  type QueryResult,
  type QueryRunner,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type ObjectLiteral,
} from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * The hot paths (the caller's lookup on every request, lists, reads by id, booking) send
 * hand-written SQL: building a statement with TypeORM's query builder and hydrating its rows cost
 * more CPU per request than the rest of the request together. These helpers keep such SQL short
 * and its rows shaped like the entities, so the DTO mappers and the callers stay the same.
 *
 * Hand-written SQL is an `Sql` fragment, made only by the `sql` tag: an interpolated value becomes
 * a parameter, an interpolated fragment is inlined, and SQL text comes only from the template's
 * literal parts or from the named constructors below. A string is not an `Sql`, so the compiler
 * refuses a value pasted into SQL text.
 */

/** What may be interpolated: a value (sent as a parameter) or a fragment (inlined). */
type Interpolated = unknown;

/** The render in progress, numbering each fragment's parameters once (see `Sql.render`). */
interface Rendering {
  readonly stamp: number;
  readonly values: unknown[];
  /** Named placeholders (`:prefixN`) instead of positional ones ($n), for a TypeORM query builder. */
  readonly prefix: string | null;
  readonly named: ObjectLiteral | null;
}

let renders = 0;

/** Only this module constructs fragments: everything else goes through `sql` and its named constructors. */
const MAKE = Symbol('Sql');

/**
 * A piece of SQL with its values kept apart from its text. Immutable; the same fragment
 * interpolated twice into one statement is rendered once, its placeholders repeated: `sql.param`
 * relies on that to send a value used in several places once.
 */
export class Sql {
  // Set while this fragment is rendered into a statement, so a second occurrence repeats its text.
  private stamp = 0;
  private rendered = '';

  constructor(
    make: typeof MAKE,
    private readonly strings: readonly string[],
    private readonly values: readonly Interpolated[],
  ) {
    if (make !== MAKE) throw new Error('Make SQL with the sql tag');
  }

  /** The statement: its text with positional placeholders ($1, $2, … in order of first appearance) and their values. */
  render(): { text: string; values: unknown[] } {
    const state: Rendering = { stamp: ++renders, values: [], prefix: null, named: null };
    return { text: this.renderIn(state), values: state.values };
  }

  /** The text with named placeholders (`:prefix0`, …) and their values, as a TypeORM query builder takes them. */
  renderNamed(prefix: string): { text: string; parameters: ObjectLiteral } {
    const state: Rendering = { stamp: ++renders, values: [], prefix, named: {} };
    return { text: this.renderIn(state), parameters: state.named! };
  }

  private renderIn(state: Rendering): string {
    if (this.stamp === state.stamp) return this.rendered;
    const { strings, values } = this;
    let text = strings[0];
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      text += value instanceof Sql ? value.renderIn(state) : placeholder(state, value);
      text += strings[i + 1];
    }
    this.stamp = state.stamp;
    this.rendered = text;
    return text;
  }
}

/** Text this module vouches for: checked identifiers and integers, constants, column lists built from entity metadata. */
function trusted(text: string): Sql {
  return new Sql(MAKE, [text], []);
}

function placeholder(state: Rendering, value: unknown): string {
  const n = state.values.push(value);
  if (state.prefix === null) return `$${n}`;
  const name = `${state.prefix}${n - 1}`;
  state.named![name] = value;
  return `:${name}`;
}

/** A lower-case SQL identifier (a column or table name): nothing to quote, nothing to escape. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A fragment of SQL: `sql\`... ${value} ...\``. Values become parameters; fragments are inlined. */
export function sql(strings: TemplateStringsArray, ...values: Interpolated[]): Sql {
  return new Sql(MAKE, strings, values);
}

/**
 * A value sent once however often the fragment is interpolated (the caller's id in both arms of
 * an OR, a search pattern matched against three columns).
 */
sql.param = (value: unknown): Sql => new Sql(MAKE, PARAM, [value]);
const PARAM = ['', ''];

/** A column or table name, refused unless it is a plain lower-case identifier. */
sql.identifier = (name: string): Sql => {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(name)}`);
  return trusted(name);
};

/**
 * SQL text written in the code: its type must be a string literal (or a union of them, like
 * 'ASC' | 'DESC'), so only constants get in, never a string computed at run time.
 */
sql.raw = <T extends string>(text: string extends T ? never : T): Sql => trusted(text);

/** A validated integer written into the text (a page's LIMIT and OFFSET); anything else is refused. */
sql.integer = (n: number): Sql => {
  if (!Number.isSafeInteger(n)) throw new Error(`Not an integer: ${n}`);
  return trusted(String(n));
};

/** Fragments joined by a separator written in the code. */
sql.join = <T extends string>(fragments: readonly Sql[], separator: string extends T ? never : T): Sql => {
  if (fragments.length === 0) return EMPTY;
  const strings = ['', ...Array<string>(fragments.length - 1).fill(separator), ''];
  return new Sql(MAKE, strings, fragments);
};

const EMPTY = trusted('');
sql.empty = EMPTY;

const selectLists = new WeakMap<EntityMetadata, Map<string, Sql>>();

/**
 * The select list of an entity's columns, each under its property name (`p.created_by_id AS
 * "createdById"`), so a row of a hand-written query is shaped like the entity. A `date` is sent
 * as 'YYYY-MM-DD' text, as TypeORM hydrates it (pg would make a local-midnight Date of it).
 * Built once per entity and alias from the entity's metadata, so it follows the entity; its
 * names come from the entity definitions, never from a request.
 */
export function columnsOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string): Sql {
  return selectList(manager, entity, alias, '');
}

/**
 * The select list of an entity joined under `alias`, as `columnsOf` makes it but each column
 * named `alias.property` (`doctor."name" AS "doctor.name"`), so it cannot clash with the main
 * entity's; `nestJoined` gathers them into the object TypeORM would hydrate for the relation.
 */
export function joinedColumnsOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string): Sql {
  return selectList(manager, entity, alias, `${alias}.`);
}

/** Moves a row's `alias.property` fields (from `joinedColumnsOf`) into an object at `row[alias]`. */
export function nestJoined(row: object, alias: string): void {
  const fields = row as Record<string, unknown>;
  const prefix = `${alias}.`;
  const joined: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (!key.startsWith(prefix)) continue;
    joined[key.slice(prefix.length)] = fields[key];
    delete fields[key];
  }
  fields[alias] = joined;
}

function selectList(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string, namePrefix: string): Sql {
  const metadata = manager.connection.getMetadata(entity);
  let byAlias = selectLists.get(metadata);
  if (!byAlias) selectLists.set(metadata, (byAlias = new Map<string, Sql>()));
  const key = `${namePrefix}${alias}`;
  let list = byAlias.get(key);
  if (!list) {
    if (!IDENTIFIER.test(alias)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(alias)}`);
    list = trusted(
      metadata.columns
        .map(({ databaseName, propertyName, type }) => {
          const column = `${alias}."${databaseName}"`;
          return `${type === 'date' ? `to_char(${column}, 'YYYY-MM-DD')` : column} AS "${namePrefix}${propertyName}"`;
        })
        .join(', '),
    );
    byAlias.set(key, list);
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
export async function query<T>(manager: EntityManager, statement: Sql, options: { prepared?: boolean } = {}): Promise<T[]> {
  const { text, values } = statement.render();
  if (manager.queryRunner && options.prepared) return preparedInTransaction<T>(manager.queryRunner, text, values);
  // Structured: a plain UPDATE or DELETE result is [rows, count], not the rows.
  if (manager.queryRunner) return ((await manager.queryRunner.query(text, values, true)) as QueryResult<T>).records;
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
    const config = options.prepared ? { name: preparedName(text), text, values } : { text, values };
    return (await client.query(config)).rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

const preparedNames = new Map<string, string>();

/**
 * The name of a statement PostgreSQL plans once per connection (a named prepared statement): for
 * the hot statements whose planning costs the database more than their execution (a booking's, a
 * read by id). Only for statements of a few shapes, whose plan does not depend on the values:
 * each text is a name, kept by every connection for its life.
 */
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) preparedNames.set(text, (name = `hc_${preparedNames.size + 1}`));
  return name;
}

/** A prepared statement on a transaction's connection, beside TypeORM's query runner (which cannot name one). */
async function preparedInTransaction<T>(runner: QueryRunner, text: string, values: unknown[]): Promise<T[]> {
  const client = (await (runner as PostgresQueryRunner).connect()) as PoolClient;
  try {
    return (await client.query({ name: preparedName(text), text, values })).rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}

/** The first row of a hand-written query, or null. */
export async function selectOne<T>(manager: EntityManager, statement: Sql, options: { prepared?: boolean } = {}): Promise<T | null> {
  const rows = await query<T>(manager, statement, options);
  return rows[0] ?? null;
}
