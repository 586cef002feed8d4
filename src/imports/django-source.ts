import { Client, type CustomTypesConfig, types } from 'pg';
import { sql } from '../core/database/sql';

/**
 * The database of one of the Django "healthcare backend" projects this service replaces, read
 * only. The projects name their tables `<app>_<model>` and differ in which apps they have and in
 * their columns, so each kind of record is found by the first of its known table names that
 * exists, and read whole (`SELECT *`): the mapping (django-mapping.ts) goes by the columns a row has.
 */

/** The kinds of record imported, in the order they are imported (each refers only to earlier ones). */
export const KINDS = ['user', 'patient', 'doctor', 'assignment', 'appointment'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Known table names per kind, first match wins: a custom user model (`users_user` with a phone
 * and a role, `accounts_user` with a name) replaces Django's `auth_user`; one project keeps every
 * model in a `core` app; one names its assignment model `Mapping`.
 */
const TABLES: Record<Kind, string[]> = {
  user: ['users_user', 'accounts_user', 'core_user', 'auth_user'],
  patient: ['patients_patient', 'core_patient'],
  doctor: ['doctors_doctor', 'core_doctor'],
  assignment: ['mappings_patientdoctormapping', 'mappings_mapping', 'core_patientdoctormapping', 'core_mapping'],
  appointment: ['appointments_appointment', 'core_appointment'],
};

export type Row = Record<string, unknown>;

export interface DjangoDatabase {
  /** Which old database this is, the same on every run: see `identify`. */
  source: string;
  /** The table read for each kind found. */
  tables: Partial<Record<Kind, string>>;
  rows: Record<Kind, Row[]>;
}

/** `date` columns as the text PostgreSQL sends (`2024-05-01`), not a Date at local midnight. */
const dateAsText: CustomTypesConfig = {
  getTypeParser: ((oid: number) => {
    if (oid === Number(types.builtins.DATE)) return (value: string) => value;
    const parser: unknown = types.getTypeParser(oid, 'text');
    return parser;
  }) as CustomTypesConfig['getTypeParser'],
};

/** Reads every record of the Django project's database at `url` (postgres://…), in one snapshot. */
export async function readDjangoDatabase(url: string): Promise<DjangoDatabase> {
  const client = new Client({ connectionString: url, types: dateAsText });
  await client.connect();
  try {
    // One snapshot, so the rows of one kind agree with those they refer to.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const present = new Set(
      (
        await client.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
        )
      ).rows.map((row) => row.name),
    );
    const tables: Partial<Record<Kind, string>> = {};
    for (const kind of KINDS) {
      const table = TABLES[kind].find((name) => present.has(name));
      if (table) tables[kind] = table;
    }
    if (!tables.user || !tables.patient) {
      throw new Error(
        'This does not look like the database of a Django healthcare project: no user table ' +
          `(${TABLES.user.join(', ')}) or no patient table (${TABLES.patient.join(', ')}).`,
      );
    }
    const rows = { user: [], patient: [], doctor: [], assignment: [], appointment: [] } as Record<Kind, Row[]>;
    for (const kind of KINDS) {
      const table = tables[kind];
      if (!table) continue;
      const { text } = sql`SELECT * FROM ${sql.identifier(table)} ORDER BY id`.render();
      rows[kind] = (await client.query<Row>(text)).rows;
    }
    const source = await identify(client, present, tables);
    await client.query('COMMIT');
    return { source, tables, rows };
  } finally {
    await client.end();
  }
}

/**
 * A name for the old database that stays the same from run to run: its tables (which project),
 * its name, and when Django first migrated it (which install: two copies of one project's
 * database made apart have different dates). A database without `django_migrations` is named by
 * its server's address instead.
 */
async function identify(client: Client, present: Set<string>, tables: Partial<Record<Kind, string>>): Promise<string> {
  const { rows } = await client.query<{ database: string; address: string | null }>(
    `SELECT current_database() AS database, host(inet_server_addr()) || ':' || inet_server_port() AS address`,
  );
  let installed: string | null = null;
  if (present.has('django_migrations')) {
    const first = await client.query<{ applied: Date | null }>('SELECT min(applied) AS applied FROM django_migrations');
    installed = first.rows[0].applied?.toISOString() ?? null;
  }
  const layout = KINDS.map((kind) => tables[kind])
    .filter(Boolean)
    .join('+');
  return `django:${layout}:${rows[0].database}@${installed ?? rows[0].address ?? 'local'}`.slice(0, 300);
}
