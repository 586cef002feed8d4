import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../core/auth/auth-user';
import { Role } from '../core/auth/role';
import type { Sql } from '../core/database/sql';
import { appointmentsVisible, assignmentsVisible, patientReadable, patientsListed } from './access.policy';

/** A caller id that would stand out if it were ever written into the SQL text. */
const CALLER = 987_654_321;

const PREDICATES: [string, (user: AuthUser) => Sql | null][] = [
  ['patientReadable', (user) => patientReadable(user)],
  ['patientsListed', (user) => patientsListed(user, false).where],
  ['patientsListed (assigned)', (user) => patientsListed(user, true).where],
  ['assignmentsVisible', (user) => assignmentsVisible(user)],
  ['appointmentsVisible', (user) => appointmentsVisible(user)],
];

describe('access predicates', () => {
  for (const [name, predicate] of PREDICATES) {
    for (const role of [Role.Patient, Role.Doctor, Role.Admin]) {
      it(`${name} for a ${role} carries the caller only as a parameter, and is self-contained`, () => {
        const predicated = predicate({ id: CALLER, username: 'x', role });
        if (predicated === null) return expect(role).toBe(Role.Admin);
        const { text: sql, values } = predicated.render();
        expect(sql).not.toContain(String(CALLER));
        // The caller, sent once however often the predicate names it.
        expect(values.length).toBeLessThanOrEqual(1);
        expect(values.every((value) => value === CALLER)).toBe(true);
        // ANDed as written: either one term or one bracketed disjunction, never a bare OR.
        expect(/ OR /.test(sql) ? sql.startsWith('(') && sql.endsWith(')') : true).toBe(true);
      });
    }
  }
});
