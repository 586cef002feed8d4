import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { DomainEvent, EmittedEvent } from './event-types';
import { dataOf, EventsRepository } from './events.repository';

/** Hears the events a transaction emits, in that transaction (a webhook's deliveries, a booking's reminders). */
export type EventListener = (manager: EntityManager, events: EmittedEvent[]) => Promise<void>;

/**
 * The outbox. Services emit what happened with the manager of the transaction that made it
 * happen: the event is written there and its listeners enqueue their work there, so the event
 * and what follows from it commit with the change or not at all. Listeners register here, so the
 * dependency runs one way, from them to the records' modules, as with RecordRemoval.
 */
@Injectable()
export class EventsService {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly events: EventsRepository) {}

  onEmitted(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit(manager: EntityManager, event: DomainEvent): Promise<void> {
    return this.emitAll(manager, [event]);
  }

  async emitAll(manager: EntityManager, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Outside a transaction the event would commit on its own, and the guarantee would be gone unnoticed.
    if (!manager.queryRunner?.isTransactionActive) throw new Error('Events are emitted with the manager of an open transaction.');
    const written = await this.events.insert(
      manager,
      events.map((event) => ({ type: event.type, patient: event.patient, data: dataOf(event) })),
    );
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
