import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'pg';
import type { QueryRunner } from 'typeorm';
import { openTestDatabase, type TestDatabase } from './support/database';

/** Instants around the edges the parser reads: no fraction, 1-6 digits of one, before 1970, leap days. */
const INSTANTS = [
  '2026-12-07 23:09:37+00',
  '2026-12-07 23:09:37.5+00',
  '2026-12-07 23:09:37.57+00',
  '2026-12-07 23:09:37.999999+00',
  '2026-12-07 23:09:37.000001+00',
  '2024-02-29 00:00:00.123456+00',
  '1969-12-31 23:59:59.9995+00',
  '1900-01-01 00:00:00+00',
  '1960-06-01 12:00:00.25+00',
  '1000-01-01 00:00:00.001+00',
  '9999-12-31 23:59:59.999999+00',
];

/** Session time zones whose offsets PostgreSQL writes as ±HH, ±HH:MM and (Monrovia until 1972) ±HH:MM:SS. */
const ZONES = ['UTC', 'America/Sao_Paulo', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Africa/Monrovia', 'Pacific/Kiritimati'];

describe('timestamptz values read from PostgreSQL (e2e)', () => {
  let database: TestDatabase;
  let runner: QueryRunner;
  beforeAll(async () => {
    database = await openTestDatabase();
    runner = database.db.createQueryRunner();
    await runner.connect();
  });
  afterAll(async () => {
    await runner?.release();
    await database?.close();
  });

  it.each(ZONES)('is the same instant, to the millisecond, whatever the session time zone (%s)', async (zone) => {
    await runner.query(`SET TIME ZONE '${zone}'`);
    const rows: { value: Date; text: string; ms: string }[] = await runner.query(
      `SELECT v AS value, v::text AS text, floor(extract(epoch FROM v) * 1000)::bigint::text AS ms
         FROM unnest($1::timestamptz[]) AS v`,
      [INSTANTS],
    );
    expect(rows).toHaveLength(INSTANTS.length);
    for (const row of rows) {
      expect(row.value, row.text).toBeInstanceOf(Date);
      expect(row.value.getTime(), row.text).toBe(Number(row.ms));
    }
    // The offsets with minutes and seconds were really sent, not only whole hours.
    if (zone === 'Asia/Kathmandu') expect(rows[0].text).toMatch(/\+05:45$/);
    if (zone === 'Africa/Monrovia') expect(rows.find((row) => row.text.startsWith('1960'))?.text).toMatch(/-00:44:30$/);
  });

  it("answers as pg's own parser for what lies outside the ISO shape: BC, years past 9999, infinity", async () => {
    await runner.query(`SET TIME ZONE 'UTC'`);
    const parse = types.getTypeParser(1184, 'text');
    const values = ['0044-03-15 12:00:00+00 BC', '12026-01-01 00:00:00+00', '0999-06-01 00:00:00+00', 'infinity', '-infinity'];
    const rows: { value: unknown; text: string }[] = await runner.query(
      `SELECT v AS value, v::text AS text FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(v, n) ORDER BY n`,
      [values],
    );
    expect(rows.map((row) => row.text)).toEqual(values);
    for (const row of rows) expect(row.value, row.text).toEqual(parse(row.text));
    expect(rows[3].value).toBe(Infinity);
  });
});
