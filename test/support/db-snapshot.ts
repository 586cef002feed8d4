import type { DataSource } from 'typeorm';

/**
 * The tables a request could change, minus the audit trail (which records refused attempts on
 * purpose). A rejected request must leave all of them as they were.
 */
export const SNAPSHOT_TABLES = [
  'users',
  'refresh_tokens',
  'patients',
  'doctors',
  'patient_doctor_mappings',
  'doctor_schedules',
  'appointments',
  'appointment_status_changes',
  'clinics',
  'clinic_members',
];

/** A digest of every row of the tables, and their row counts; equal digests mean no row changed. */
export async function snapshot(
  db: DataSource,
  tables: string[] = SNAPSHOT_TABLES,
): Promise<{ digest: string; counts: Record<string, number> }> {
  const parts = tables.map(
    (table) =>
      `SELECT '${table}' AS t, count(*)::int AS n, coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') AS d FROM ${table} r`,
  );
  const rows: { t: string; n: number; d: string }[] = await db.query(parts.join(' UNION ALL '));
  return {
    digest: rows.map((row) => `${row.t}:${row.d}`).join(','),
    counts: Object.fromEntries(rows.map((row) => [row.t, row.n])),
  };
}
