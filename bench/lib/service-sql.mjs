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
  'createdAt updatedAt createdById version deletedAt id name email phone specialization licenseNumber experienceYears consultationFee address availability hospital userId clinicId',
);

export const PATIENT_COLUMNS = columns(
  'patient',
  'createdAt updatedAt createdById version deletedAt id name email phone dateOfBirth age gender bloodGroup address emergencyContact medicalHistory clinicId',
);

export const SCHEDULE_COLUMNS = columns('schedule', 'createdAt updatedAt doctorId timezone slotMinutes entries version');
export const APPOINTMENT_COLUMNS = columns(
  'appointment',
  'createdAt updatedAt id doctorId patientId appointmentDatetime durationMinutes endsAt reason status notes createdById version',
);

/**
 * The caller's lookup (UsersRepository.findActiveCaller), text for text: its active clinic
 * memberships come with it.
 */
export const CALLER_SQL = `SELECT id, username, role, (extract(epoch FROM tokens_valid_after) * 1000)::float8 AS "tokensValidAfter",
                 mfa_enabled_at IS NOT NULL AS "mfaEnabled",
                 (SELECT coalesce(json_agg(json_build_object('id', cm.clinic_id, 'role', cm.role) ORDER BY cm.clinic_id), '[]')
                  FROM clinic_members cm WHERE cm.user_id = users.id AND cm.status = 'active') AS clinics
          FROM users WHERE id = $1 AND is_active`;

// The lists of access.policy's patientsListed and PatientsRepository.findPage, in the order the
// service numbers their parameters (in order of first appearance).
const NOT_DELETED = 'patient.deleted_at IS NULL';
const ILIKE = (n) => `(patient.name ILIKE $${n} OR patient.email::text ILIKE $${n} OR patient.phone ILIKE $${n})`;
const KEYS = (column, value, term) =>
  `patient_search_keys(patient.${column}, patient.name, patient.email::text, patient.phone) @> patient_search_keys(${value}, ${term}, '', '')`;

/** A caller's personal patients ($1 the caller): the list of an account that runs no clinic's patients. */
export const OWNER_WHERE = `${NOT_DELETED} AND (patient.clinic_id IS NULL AND patient.created_by_id = $1)`;
/** …matching a search term: $2 the term (its owner-prefixed trigrams narrow the rows), $3 the term as an ILIKE pattern. */
export const SEARCH_WHERE = `${OWNER_WHERE} AND ${KEYS('created_by_id', '$1', '$2')} AND ${ILIKE(3)}`;
/** The same for a term without three letters or digits in a row (no trigram to narrow by): $2 the pattern. */
export const SEARCH_WHERE_UNKEYED = `${OWNER_WHERE} AND ${ILIKE(2)}`;
export const HAS_TRIGRAM = /[A-Za-z0-9]{3}/;

/** A clinic's manager or staff member without ?clinic=: $1 the caller, $2 the clinics where it runs patients (an array). */
export const MEMBER_WHERE = `${NOT_DELETED} AND ((patient.clinic_id IS NULL AND patient.created_by_id = $1) OR patient.clinic_id = ANY($2))`;
/**
 * …matching a search term with a trigram, for a member of `clinics` clinics: $3 the term, whose
 * trigrams prefixed by the caller or by one of its clinics ($4, … one parameter each) narrow the
 * rows; then the term as an ILIKE pattern.
 */
export const memberSearchWhere = (clinics) => {
  const arms = [KEYS('created_by_id', '$1', '$3')];
  for (let i = 0; i < clinics; i++) arms.push(`(patient.clinic_id = $${4 + i} AND ${KEYS('clinic_id', `$${4 + i}`, '$3')})`);
  return `${MEMBER_WHERE} AND (${arms.join(' OR ')}) AND ${ILIKE(4 + clinics)}`;
};
/** …matching a term without a trigram: $3 the ILIKE pattern. */
export const MEMBER_SEARCH_WHERE_UNKEYED = `${MEMBER_WHERE} AND ${ILIKE(3)}`;

/** ?clinic=$1 for its manager or staff member. */
export const CLINIC_WHERE = `${NOT_DELETED} AND patient.clinic_id = $1`;
/** …matching a search term: $2 the term (its clinic-prefixed trigrams narrow the rows), $3 the ILIKE pattern. */
export const CLINIC_SEARCH_WHERE = `${CLINIC_WHERE} AND ${KEYS('clinic_id', '$1', '$2')} AND ${ILIKE(3)}`;
export const CLINIC_SEARCH_WHERE_UNKEYED = `${CLINIC_WHERE} AND ${ILIKE(2)}`;

// The benchmark's owner has the patient role and no clinic, so "readable" is "its personal patient".
export const READABLE_PATIENT = `SELECT ${PATIENT_COLUMNS} FROM patients patient WHERE patient.id = $1 AND patient.deleted_at IS NULL AND (patient.clinic_id IS NULL AND patient.created_by_id = $2)`;

/** A page of a list with the list's total on each row, and the count alone (past the end), as `selectPage` sends them. */
export function listStatements({ select, from, where, orderBy }, { pageSize, offset }) {
  const count = `SELECT count(*) FROM ${from} WHERE ${where}`;
  return {
    page: `SELECT ${select}, (${count}) AS "listTotal" FROM ${from} WHERE ${where} ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${offset}`,
    count,
  };
}
