// The statements the service sends for the benchmark's scenarios (see src/core/database/sql.ts and
// the services), written out once for the baseline server and for the EXPLAIN of the report.

/** The service's select lists: each column under its entity property name (`date` as text). */
const columns = (alias, list) =>
  list
    .split(/\s+/)
    .filter(Boolean)
    .map((name) => {
      const column = `${alias}."${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}"`;
      return `${name === 'dateOfBirth' ? `to_char(${column}, 'YYYY-MM-DD')` : column} AS "${name}"`;
    })
    .join(', ');

export const DOCTOR_COLUMNS = columns(
  'doctor',
  'createdAt updatedAt createdById version deletedAt id name email phone specialization licenseNumber experienceYears consultationFee address availability userId',
);

export const PATIENT_COLUMNS = columns(
  'patient',
  'createdAt updatedAt createdById version deletedAt id name email phone dateOfBirth age gender bloodGroup address emergencyContact medicalHistory',
);

export const SCHEDULE_COLUMNS = columns('schedule', 'createdAt updatedAt doctorId timezone slotMinutes entries version');
export const APPOINTMENT_COLUMNS = columns(
  'appointment',
  'createdAt updatedAt id doctorId patientId appointmentDatetime durationMinutes endsAt reason status notes createdById version',
);

/** A patient-role caller's patients, and those matching a search term. */
export const OWNER_WHERE = 'patient.deleted_at IS NULL AND patient.created_by_id = $1';
/** $1 the owner, $2 the term as an ILIKE pattern, $3 the term itself (its owner-prefixed trigrams narrow the rows). */
export const SEARCH_WHERE =
  `${OWNER_WHERE} AND patient_search_keys(patient.created_by_id, patient.name, patient.email::text, patient.phone) @> patient_search_keys($1, $3, '', '')` +
  ' AND (patient.name ILIKE $2 OR patient.email::text ILIKE $2 OR patient.phone ILIKE $2)';
/** The same for a term without three letters or digits in a row (no trigram to narrow by). */
export const SEARCH_WHERE_UNKEYED = `${OWNER_WHERE} AND (patient.name ILIKE $2 OR patient.email::text ILIKE $2 OR patient.phone ILIKE $2)`;
export const HAS_TRIGRAM = /[A-Za-z0-9]{3}/;

// The benchmark's owner has the patient role, so "readable" is "owned".
export const READABLE_PATIENT = `SELECT ${PATIENT_COLUMNS} FROM patients patient WHERE patient.id = $1 AND patient.deleted_at IS NULL AND patient.created_by_id = $2`;

/** A page of a list with the list's total on each row, and the count alone (past the end), as `selectPage` sends them. */
export function listStatements({ select, from, where, orderBy }, { pageSize, offset }) {
  const count = `SELECT count(*) FROM ${from} WHERE ${where}`;
  return {
    page: `SELECT ${select}, (${count}) AS "listTotal" FROM ${from} WHERE ${where} ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${offset}`,
    count,
  };
}
