import type { AppointmentStatus } from '../appointments/appointment-status';

/** Every event the service emits, by the name integrators subscribe to. */
export const EVENT_TYPES = [
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.status_changed',
  'patient.created',
  'patient.updated',
  'patient.deleted',
  'assignment.created',
  'assignment.ended',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * An event as a service emits it: the ids of the record and of those it refers to, the fields a
 * change changed (by their API names), and for a status change the new status. The patient's id
 * also tells the event's clinic.
 */
export type DomainEvent =
  | {
      type: 'appointment.booked' | 'appointment.rescheduled';
      appointment: number;
      patient: number;
      doctor: number;
      changedFields: string[];
    }
  | {
      type: 'appointment.status_changed';
      appointment: number;
      patient: number;
      doctor: number;
      changedFields: string[];
      status: AppointmentStatus;
    }
  | { type: 'patient.created' | 'patient.updated' | 'patient.deleted'; patient: number; changedFields: string[] }
  | { type: 'assignment.created' | 'assignment.ended'; assignment: number; patient: number; doctor: number };

/** An appointment's event before the appointment has its id: written by the statement that inserts it. */
export type PendingAppointmentEvent =
  Extract<DomainEvent, { appointment: number }> extends infer E ? (E extends unknown ? Omit<E, 'appointment'> : never) : never;

/** An event as written: its id and time, and the clinic its patient belonged to then. */
export interface EmittedEvent {
  id: string;
  type: EventType;
  clinicId: number | null;
  occurredAt: Date;
  event: DomainEvent;
}
