import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppointmentStatus } from '../appointments/appointment-status';
import { AppointmentsService } from '../appointments/appointments.service';
import { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import type { EmittedEvent } from '../events/event-types';
import { EventsService } from '../events/events.service';
import { Job, JobQueue } from '../jobs/job-queue';
import { Mailer, refusedForNow } from '../mail/mailer';
import { ReminderDto, toReminderDto } from './dto/reminder.dto';
import { reminderMail } from './reminder-mail';
import { RemindersRepository } from './reminders.repository';

/** A reminder's job: the id of its row, which says everything else when the job runs. */
export interface ReminderJob {
  reminder: number;
}

/** Retries of a reminder's job, as the EventOutbox migration created its queue (retryLimit 5). */
const QUEUE_RETRY_LIMIT = 5;

/**
 * Appointment reminders: planned with the booking (one per REMINDER_LEAD, when the patient has an
 * email), re-planned when it is rescheduled, cancelled when it leaves SCHEDULED, all in the
 * transaction that makes the change; each sent at most once by a worker of the job queue.
 */
@Injectable()
export class RemindersService implements OnModuleInit {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly reminders: RemindersRepository,
    private readonly appointments: AppointmentsService,
    private readonly events: EventsService,
    private readonly jobs: JobQueue,
    private readonly mailer: Mailer,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // REMINDER_LEAD=off: a booking does nothing more. Reminders planned before still run; their
    // claim checks that the appointment is still as planned.
    const leads = this.config.reminders.leadSeconds;
    if (leads.length > 0) {
      // A booking's reminders and their jobs are written by the statement that writes its event: no round trip of their own.
      this.events.onWritten((events, appointment) => {
        const booked = events.filter((event) => event.type === 'appointment.booked');
        if (booked.length === 0) return null;
        // The appointment inserted by the same statement, or those the events name.
        const ids = booked.flatMap((event) => ('appointment' in event ? [event.appointment] : []));
        return this.reminders.planForBookings(appointment ?? ids, leads);
      });
      this.events.onEmitted((manager, emitted) => this.replan(manager, emitted));
    }
    this.jobs.work<ReminderJob>('appointment-reminder', (job) => this.send(job));
  }

  /** An appointment's reminders, planned and past, when the caller sees the appointment (404 otherwise). */
  async list(appointmentId: number, user: AuthUser): Promise<ReminderDto[]> {
    await this.appointments.assertVisible(appointmentId, user);
    const reminders = await this.reminders.list(appointmentId);
    return reminders.map(toReminderDto);
  }

  /**
   * In the emitting transaction, after a booking's own reminders were planned with its event: a
   * reschedule or a move out of SCHEDULED cancels the planned reminders, and a reschedule plans
   * those of its new start, with one statement and one enqueue for all of them.
   */
  private async replan(manager: EntityManager, emitted: EmittedEvent[]): Promise<void> {
    const cancel: number[] = [];
    const plan: number[] = [];
    for (const { event } of emitted) {
      if (event.type === 'appointment.rescheduled') {
        cancel.push(event.appointment);
        plan.push(event.appointment);
      } else if (event.type === 'appointment.status_changed' && event.status !== AppointmentStatus.Scheduled)
        cancel.push(event.appointment);
    }
    if (cancel.length > 0) await this.reminders.cancelPlanned(manager, cancel);
    if (plan.length === 0) return;
    const planned = await this.reminders.plan(manager, plan, this.config.reminders.leadSeconds);
    await this.jobs.enqueue<ReminderJob>(
      manager,
      'appointment-reminder',
      planned.map(({ id, sendAt }) => ({ data: { reminder: id }, startAfter: sendAt })),
    );
  }

  /**
   * A reminder's job: claim it (so no other run sends it too), send it and wait for the SMTP
   * server's answer. A temporary refusal (4xx, nothing taken) plans it again and fails the run for
   * the queue to retry, while retries remain; any other failure marks it failed, never retried,
   * since the server may have taken the mail.
   */
  private async send(job: Job<ReminderJob>): Promise<void> {
    const id = job.data.reminder;
    if (!Number.isInteger(id)) return;
    const claimed = await this.reminders.claim(id);
    if (!claimed || claimed.status === 'skipped' || claimed.email === null) return;
    const mail = reminderMail({ ...claimed, to: claimed.email }, this.config.mail.publicUrl);
    try {
      await this.mailer.sendNow(mail);
    } catch (error) {
      const failure = { reminder: id, attempt: job.retryCount + 1, error: (error as Error).message };
      if (refusedForNow(error) && job.retryCount < QUEUE_RETRY_LIMIT) {
        await this.reminders.unclaim(id);
        this.logger.warn(failure, 'Reminder not taken by the mail server; its job retries');
        throw error;
      }
      this.logger.error(failure, 'Reminder not sent: failed');
      await this.reminders.settle(id, 'failed');
      return;
    }
    await this.reminders.settle(id, 'sent');
  }
}
