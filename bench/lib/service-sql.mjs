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

/**
 * A clinic's manager or staff member without ?clinic=, a member of `clinics` clinics: its personal
 * patients ($1 the caller) and each clinic's (one parameter each) as parts, with `search` ('keyed':
 * a term with a trigram, whose caller- and clinic-prefixed trigrams narrow each part; 'unkeyed';
 * or none) and its ILIKE pattern last. The page is taken from the first `first` rows of each part,
 * ordered by `orderBy`, and the count adds up the parts' counts (PatientsRepository.findPage).
 */
export const memberList = (clinics, search, { orderBy, first }) => {
  const term = search === 'keyed' ? '$2' : null;
  let n = term ? 3 : 2;
  const own = [`(patient.clinic_id IS NULL AND patient.created_by_id = $1)${term ? ` AND ${KEYS('created_by_id', '$1', term)}` : ''}`];
  for (let i = 0; i < clinics; i++, n++) own.push(`patient.clinic_id = $${n}${term ? ` AND ${KEYS('clinic_id', `$${n}`, term)}` : ''}`);
  const parts = own.map((part) => `${NOT_DELETED} AND ${part}${search ? ` AND ${ILIKE(n)}` : ''}`);
  return {
    from: `(${parts.map((part) => `(SELECT patient.* FROM patients patient WHERE ${part} ORDER BY ${orderBy} LIMIT ${first})`).join(' UNION ALL ')}) patient`,
    where: '',
    count: `SELECT ${parts.map((part) => `(SELECT count(*) FROM patients patient WHERE ${part})`).join(' + ')} AS count`,
  };
};

/** ?clinic=$1 for its manager or staff member. */
export const CLINIC_WHERE = `${NOT_DELETED} AND patient.clinic_id = $1`;
/** …matching a search term: $2 the term (its clinic-prefixed trigrams narrow the rows), $3 the ILIKE pattern. */
export const CLINIC_SEARCH_WHERE = `${CLINIC_WHERE} AND ${KEYS('clinic_id', '$1', '$2')} AND ${ILIKE(3)}`;
export const CLINIC_SEARCH_WHERE_UNKEYED = `${CLINIC_WHERE} AND ${ILIKE(2)}`;

// The benchmark's owner has the patient role and no clinic, so "readable" is "its personal patient".
export const READABLE_PATIENT = `SELECT ${PATIENT_COLUMNS} FROM patients patient WHERE patient.id = $1 AND patient.deleted_at IS NULL AND (patient.clinic_id IS NULL AND patient.created_by_id = $2)`;

/** A page of a list with the list's total on each row, and the count alone (past the end), as `selectPage` sends them. */
export function listStatements({ select, from, where, orderBy, count: counted }, { pageSize, offset }) {
  const filtered = where ? ` WHERE ${where}` : '';
  const count = counted ?? `SELECT count(*) FROM ${from}${filtered}`;
  return {
    page: `SELECT ${select}, (${count}) AS "listTotal" FROM ${from}${filtered} ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${offset}`,
    count,
  };
}

/**
 * The batched write of audit entries (AuditRepository.insert), for `rows` of [occurred_at,
 * actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome]: each entry's
 * clinic is looked up from its record in the same statement.
 */
export function auditInsert(rows) {
  const values = [];
  const CASTS = ['timestamptz', 'integer', 'varchar', 'varchar', 'integer', 'text[]', 'varchar', 'inet', 'audit_outcome', 'integer'];
  const tuples = rows.map((row, i) => `(${i}, ${[...row, null].map((value, k) => `$${values.push(value)}::${CASTS[k]}`).join(', ')})`);
  const COLUMNS = 'occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome, clinic_id';
  const text = `INSERT INTO audit_events (${COLUMNS})
    SELECT e.occurred_at, e.actor_id, e.action, e.entity, e.entity_id, e.changed_fields, e.request_id, e.client_ip, e.outcome,
           coalesce(e.clinic_id, patient.clinic_id, owner.clinic_id, doctor.clinic_id, member.clinic_id, CASE WHEN e.entity = 'clinic' THEN e.entity_id END)
    FROM (VALUES ${tuples.join(', ')}) AS e (ordinal, ${COLUMNS})
    LEFT JOIN patients patient ON e.entity = 'patient' AND patient.id = e.entity_id
    LEFT JOIN patient_doctor_mappings mapping ON e.entity = 'mapping' AND mapping.id = e.entity_id
    LEFT JOIN appointments appointment ON e.entity = 'appointment' AND appointment.id = e.entity_id
    LEFT JOIN patients owner ON owner.id = coalesce(mapping.patient_id, appointment.patient_id)
    LEFT JOIN doctors doctor ON e.entity IN ('doctor', 'schedule') AND doctor.id = e.entity_id
    LEFT JOIN clinic_members member ON e.entity = 'clinic_member' AND member.id = e.entity_id
    ORDER BY e.ordinal`;
  return { text, values };
}
