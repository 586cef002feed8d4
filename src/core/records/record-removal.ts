import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { RequestOrigin } from '../http/request-origin';

export type RemovedRecord = 'patient' | 'doctor';
export interface Removal {
  record: RemovedRecord;
  id: number;
  /** The user who deleted it, for the histories and audit entries the handlers write. */
  actorId: number;
  /** The request it was deleted on: the entries of what it ends share the delete's request id. */
  origin?: RequestOrigin;
}
type RemovalHandler = (manager: EntityManager, removal: Removal) => Promise<void>;

/**
 * When a patient or doctor is soft-deleted, the modules that depend on it (assignments,
 * appointments) end what refers to it, in the same transaction, each end with its audit entry.
 * They register here, so the dependency runs one way: from them to the records, never back.
 */
@Injectable()
export class RecordRemoval {
  private readonly handlers: RemovalHandler[] = [];

  onRemoved(handler: RemovalHandler): void {
    this.handlers.push(handler);
  }

  async removed(manager: EntityManager, removal: Removal): Promise<void> {
    for (const handler of this.handlers) await handler(manager, removal);
  }
}
