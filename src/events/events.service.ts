import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Sql } from '../core/database/sql';
import type { DomainEvent, EmittedEvent, PendingAppointmentEvent } from './event-types';
import { dataOf, EventsRepository, type WrittenEvent } from './events.repository';

/** Hears the events a transaction emits, in that transaction, after they are written (a reschedule's reminders). */
export type EventListener = (manager: EntityManager, events: EmittedEvent[]) => Promise<void>;

/**
 * What follows from events and is written by the events' own INSERT, on the path of every
 * booking (a webhook's deliveries, a booking's reminders, their jobs): named data-modifying CTEs
 * (`name AS (…)`, joined with commas) over `emitted`, the events as written (id, type, clinic_id,
 * occurred_at, data); null when `events` need none. Their names must be their own. When the same
 * statement inserts the appointment of a pending event, `appointment` is the CTE that returns its
 * row: the table does not show that statement the row it inserts.
 */
export type EventFollowUp = (events: readonly (DomainEvent | PendingAppointmentEvent)[], appointment?: Sql) => Sql | null;

/**
 * The outbox. Services emit what happened with the manager of the transaction that made it
 * happen: the event is written there and its listeners enqueue their work there, so the event
 * and what follows from it commit with the change or not at all. Listeners register here, so the
 * dependency runs one way, from them to the records' modules, as with RecordRemoval.
 */
@Injectable()
export class EventsService {
  private readonly listeners: EventListener[] = [];
  private readonly followUps: EventFollowUp[] = [];

  constructor(private readonly events: EventsRepository) {}

  onEmitted(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Writes what `followUp` makes of the emitted events in the statement that writes them (see EventFollowUp). */
  onWritten(followUp: EventFollowUp): void {
    this.followUps.push(followUp);
  }

  emit(manager: EntityManager, event: DomainEvent): Promise<void> {
    return this.emitAll(manager, [event]);
  }

  async emitAll(manager: EntityManager, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    assertInTransaction(manager);
    const written = await this.events.insert(
      manager,
      events.map((event) => ({ type: event.type, patient: event.patient, data: dataOf(event) })),
      this.followUpsOf(events),
    );
    await this.tellListeners(manager, events, written);
  }

  /**
   * An appointment's event written by the statement that inserts the appointment (a booking: one
   * round trip less than `emit`): the CTEs that write it and what follows from it, given the CTE
   * `appointment` that returns the inserted row. Nothing is written if it returns none. The
   * statement returns the written event (`emitted`'s id, clinic_id and occurred_at), for `inserted`.
   */
  emittedWith(event: PendingAppointmentEvent, appointment: Sql): Sql {
    return this.events.insertedWith(
      { type: event.type, patient: event.patient, data: dataOf(event) },
      appointment,
      'appointment',
      this.followUpsOf([event], appointment),
    );
  }

  /** After the statement of `emittedWith`: the event as written, for the listeners. */
  async inserted(manager: EntityManager, event: DomainEvent, written: WrittenEvent): Promise<void> {
    assertInTransaction(manager);
    await this.tellListeners(manager, [event], [written]);
  }

  private followUpsOf(events: readonly (DomainEvent | PendingAppointmentEvent)[], appointment?: Sql): Sql[] {
    return this.followUps.map((followUp) => followUp(events, appointment)).filter((followUp) => followUp !== null);
  }

  private async tellListeners(manager: EntityManager, events: DomainEvent[], written: WrittenEvent[]): Promise<void> {
    const emitted = written.map(({ id, clinic_id, occurred_at }, i) => ({
      id: String(id),
      type: events[i].type,
      clinicId: clinic_id,
      occurredAt: occurred_at,
      event: events[i],
    }));
    for (const listener of this.listeners) await listener(manager, emitted);
  }
}

/** Outside a transaction the event would commit on its own, and the guarantee would be gone unnoticed. */
function assertInTransaction(manager: EntityManager): void {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('Events are emitted with the manager of an open transaction.');
}
