// The generated types straight, not through api.ts: the browser test reads this table too.
import type { components } from '../../test/client/schema.js';

export type Role = components['schemas']['Role'];

const EVERYONE: readonly Role[] = ['patient', 'doctor', 'admin'];
const ADMINS: readonly Role[] = ['admin'];

/**
 * Who sees what in the console: each resource (or page) and the roles that get its menu entry and
 * its pages. The console only hides what a role cannot use; the API decides every request, and
 * limits each list to what the caller may see (a member sees its own clinics, a patient account
 * its own patients...). What is not listed here is shown to nobody.
 */
export const ACCESS: Readonly<Record<string, readonly Role[]>> = {
  dashboard: EVERYONE,
  account: EVERYONE,
  patients: EVERYONE,
  doctors: EVERYONE,
  assignments: EVERYONE,
  appointments: EVERYONE,
  clinics: EVERYONE,
  accounts: ADMINS,
  'audit-events': ADMINS,
};

/**
 * Whether `role` may use `resource`. Every action (list, show, create, edit, delete...) goes with
 * the resource: what a role may do to one record is the API's answer. react-admin also asks about
 * fields (`patients.name`): they follow their resource.
 */
export function canAccess(role: Role | undefined, resource: string): boolean {
  if (!role) return false;
  const roles = ACCESS[resource] ?? ACCESS[resource.split('.')[0]];
  return roles?.includes(role) ?? false;
}
