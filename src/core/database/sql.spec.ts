import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { columnsOf, joinedColumnsOf, nestJoined, query, sql, type Sql } from './sql';

/** A value that would break the statement, or worse, if it were ever written into the text. */
const HOSTILE = "x'; DROP TABLE patients; --";

describe('sql tag', () => {
  it('sends an interpolated value as a parameter, never in the text', () => {
    const { text, values } = sql`SELECT 1 FROM patients WHERE name = ${HOSTILE} AND id = ${7}`.render();
    expect(text).toBe('SELECT 1 FROM patients WHERE name = $1 AND id = $2');
    expect(values).toEqual([HOSTILE, 7]);
  });

  it('inlines nested fragments with their values, numbered in the order of the text', () => {
    const inner = sql`b = ${'two'} AND ${sql`c = ${3}`}`;
    const { text, values } = sql`a = ${1} AND ${inner} AND d = ${4}`.render();
    expect(text).toBe('a = $1 AND b = $2 AND c = $3 AND d = $4');
    expect(values).toEqual([1, 'two', 3, 4]);
  });

  it('sends a value once however often its fragment appears: sql.param and a fragment used twice', () => {
    const caller = sql.param(42);
    const where = sql` WHERE owner = ${caller} OR doctor = ${caller} AND name = ${HOSTILE}`;
    const { text, values } = sql`SELECT (SELECT count(*) FROM t${where}) AS total FROM t${where} AND x = ${5}`.render();
    expect(text).toBe(
      `SELECT (SELECT count(*) FROM t WHERE owner = $1 OR doctor = $1 AND name = $2) AS total FROM t WHERE owner = $1 OR doctor = $1 AND name = $2 AND x = $3`,
    );
    expect(values).toEqual([42, HOSTILE, 5]);
  });

  it('numbers afresh on every render: a fragment reused in another statement starts at $1 there', () => {
    const condition = sql`id = ${9}`;
    expect(sql`SELECT ${sql`${1}`}, ${condition}`.render()).toEqual({ text: 'SELECT $1, id = $2', values: [1, 9] });
    expect(sql`DELETE FROM t WHERE ${condition}`.render()).toEqual({ text: 'DELETE FROM t WHERE id = $1', values: [9] });
  });

  it('renders named parameters for a query builder, a shared parameter under one name', () => {
    const caller = sql.param(42);
    const { text, parameters } = sql`(a = ${caller} OR b = ${caller}) AND c = ${HOSTILE}`.renderNamed('access');
    expect(text).toBe('(a = :access0 OR b = :access0) AND c = :access1');
    expect(parameters).toEqual({ access0: 42, access1: HOSTILE });
  });

  it('joins fragments with a separator, and an empty list to nothing', () => {
    const parts = [sql`a = ${1}`, sql`b = ${2}`, sql`c`];
    expect(sql`WHERE ${sql.join(parts, ' AND ')}`.render()).toEqual({ text: 'WHERE a = $1 AND b = $2 AND c', values: [1, 2] });
    expect(sql`x${sql.join([], ', ')}y`.render()).toEqual({ text: 'xy', values: [] });
  });

  it('writes identifiers into the text only when they are plain lower-case names', () => {
    expect(sql`ORDER BY patient.${sql.identifier('date_of_birth')}`.render().text).toBe('ORDER BY patient.date_of_birth');
    for (const name of ['', 'Name', 'name; DROP TABLE patients', 'a b', '"quoted"', 'a.b', '1abc', HOSTILE]) {
      expect(() => sql.identifier(name), name).toThrow(/Not a plain SQL identifier/);
    }
  });

  it('writes only safe integers into the text', () => {
    expect(sql`LIMIT ${sql.integer(20)} OFFSET ${sql.integer(0)}`.render()).toEqual({ text: 'LIMIT 20 OFFSET 0', values: [] });
    for (const n of [1.5, NaN, Infinity, 2 ** 53]) expect(() => sql.integer(n)).toThrow(/Not an integer/);
  });

  it('takes raw text only from string literals, and makes no fragment outside the tag', () => {
    const direction: 'ASC' | 'DESC' = 'DESC';
    expect(sql`ORDER BY id ${sql.raw(direction)}`.render().text).toBe('ORDER BY id DESC');
    const computed: string = `FOR ${'UPDATE'}`;
    // @ts-expect-error A string computed at run time is not a literal type.
    expect(sql`${sql.raw(computed)}`.render().text).toBe('FOR UPDATE');
    // @ts-expect-error The constructor is the module's own.
    expect(() => new (sql`x`.constructor as typeof Sql)(Symbol('Sql'), ['x'], [])).toThrow(/sql tag/);
  });

  it('refuses a plain string where a statement is expected (compile time)', async () => {
    const sent: string[] = [];
    const manager = {
      queryRunner: { query: (text: string) => (sent.push(text), Promise.resolve({ records: [] })) },
    } as unknown as EntityManager;
    const name = HOSTILE;
    // @ts-expect-error A string is not an Sql: values cannot be pasted into a statement's text.
    await expect(query(manager, `SELECT 1 FROM patients WHERE name = '${name}'`)).rejects.toThrow(TypeError);
    await query(manager, sql`SELECT 1 FROM patients WHERE name = ${name}`);
    expect(sent).toEqual(['SELECT 1 FROM patients WHERE name = $1']);
  });

  it("names a joined entity's columns under its alias, and nests them back into an object", () => {
    const metadata = {
      columns: [
        { databaseName: 'id', propertyName: 'id', type: 'int' },
        { databaseName: 'user_id', propertyName: 'userId', type: 'int' },
      ],
    };
    const manager = { connection: { getMetadata: () => metadata } } as unknown as EntityManager;
    expect(columnsOf(manager, 'Doctor', 'doctor').render().text).toBe('doctor."id" AS "id", doctor."user_id" AS "userId"');
    expect(joinedColumnsOf(manager, 'Doctor', 'doctor').render().text).toBe(
      'doctor."id" AS "doctor.id", doctor."user_id" AS "doctor.userId"',
    );
    const row: Record<string, unknown> = { id: 5, 'doctor.id': 3, 'doctor.userId': null };
    nestJoined(row, 'doctor');
    expect(row).toEqual({ id: 5, doctor: { id: 3, userId: null } });
  });
});
