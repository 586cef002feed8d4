import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../core/auth/auth-user';
import { Role } from '../core/auth/role';
import { sql, type Sql } from '../core/database/sql';
import {
  appointmentsVisible,
  assignmentsVisible,
  invitationsListed,
  patientReadable,
  patientsListed,
  type PatientsListed,
} from './access.policy';

/** A caller id and clinic ids that would stand out if they were ever written into the SQL text. */
const CALLER = 987_654_321;
const CLINICS = [
  { id: 876_543_210, role: 'staff' },
  { id: 765_432_109, role: 'clinician' },
  { id: 654_321_098, role: 'manager' },
] as const;

/** A list's parts as one predicate (each part must be self-contained for this to hold). */
const listed = (parts: PatientsListed): Sql | null =>
  parts.length === 1
    ? parts[0].where
    : sql`(${sql.join(
        parts.map((part) => part.where!),
        ' OR ',
      )})`;

const PREDICATES: [string, (user: AuthUser) => Sql | null][] = [
  ['patientReadable', (user) => patientReadable(user)],
  ['patientsListed', (user) => listed(patientsListed(user, false))],
  ['patientsListed (assigned)', (user) => listed(patientsListed(user, true))],
  ['patientsListed (a clinic)', (user) => listed(patientsListed(user, false, CLINICS[0].id))],
  ['patientsListed (assigned, a clinic)', (user) => listed(patientsListed(user, true, CLINICS[1].id))],
  ['assignmentsVisible', (user) => assignmentsVisible(user)],
  ['appointmentsVisible', (user) => appointmentsVisible(user)],
  ['invitationsListed', (user) => invitationsListed(user)],
];

describe('access predicates', () => {
  for (const [name, predicate] of PREDICATES) {
    for (const [role, clinics] of [
      [Role.Patient, []],
      [Role.Doctor, []],
      [Role.Admin, []],
      [Role.Patient, CLINICS],
      [Role.Doctor, CLINICS],
    ] as const) {
      const member = clinics.length > 0 ? ', member of clinics,' : '';
      it(`${name} for a ${role}${member} carries the caller and its clinics only as parameters, and is self-contained`, () => {
        const predicated = predicate({ id: CALLER, username: 'x', role, clinics });
        if (predicated === null) return expect(role).toBe(Role.Admin);
        const { text: sql, values } = predicated.render();
        for (const id of [CALLER, ...clinics.map((clinic) => clinic.id)]) expect(sql).not.toContain(String(id));
        // The caller, sent once however often the predicate names it; clinics as ids or lists of ids.
        expect(values.filter((value) => value === CALLER).length).toBeLessThanOrEqual(1);
        // Any of CLINICS may be a list's filter, a member of it or not.
        const clinicIds: unknown[] = CLINICS.map((clinic) => clinic.id);
        const isClinics = (value: unknown) =>
          clinicIds.includes(value) || (Array.isArray(value) && value.every((id) => clinicIds.includes(id)));
        expect(values.every((value) => value === CALLER || isClinics(value))).toBe(true);
        // ANDed as written: either one term or one bracketed disjunction, never a bare OR.
        expect(/ OR /.test(sql) ? sql.startsWith('(') && sql.endsWith(')') : true).toBe(true);
      });
    }
  }
});
