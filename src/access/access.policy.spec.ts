import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../core/auth/auth-user';
import { Role } from '../core/auth/role';
import { SqlParams } from '../core/database/sql';
import { appointmentsVisible, mappingsVisible, patientReadable, patientsListed, sqlPlaceholders } from './access.policy';

/** A caller id that would stand out if it were ever written into the SQL text. */
const CALLER = 987_654_321;

const PREDICATES: [string, (user: AuthUser, params: SqlParams) => string | null][] = [
  ['patientReadable', (user, params) => patientReadable(user, sqlPlaceholders(params))],
  ['patientsListed', (user, params) => patientsListed(user, false, sqlPlaceholders(params)).where],
  ['patientsListed (assigned)', (user, params) => patientsListed(user, true, sqlPlaceholders(params)).where],
  ['mappingsVisible', (user, params) => mappingsVisible(user, sqlPlaceholders(params))],
  ['appointmentsVisible', (user, params) => appointmentsVisible(user, sqlPlaceholders(params))],
];

describe('access predicates', () => {
  for (const [name, predicate] of PREDICATES) {
    for (const role of [Role.Patient, Role.Doctor, Role.Admin]) {
      it(`${name} for a ${role} carries the caller only as a parameter, and is self-contained`, () => {
        const params = new SqlParams();
        const sql = predicate({ id: CALLER, username: 'x', role }, params);
        if (sql === null) return expect(params.values).toEqual([]);
        expect(sql).not.toContain(String(CALLER));
        expect(params.values.every((value) => value === CALLER)).toBe(true);
        // ANDed as written: either one term or one bracketed disjunction, never a bare OR.
        expect(/ OR /.test(sql) ? sql.startsWith('(') && sql.endsWith(')') : true).toBe(true);
      });
    }
  }
});
