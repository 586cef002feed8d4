import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Appointment reminders: one row per mail to send (REMINDER_LEAD before the start), planned in
 * the booking's transaction, with its job in the `appointment-reminder` queue (EventOutbox).
 *
 * - At most one planned reminder per appointment and lead (partial unique index): a reschedule
 *   cancels the planned ones before it plans those of the new time.
 * - The route lists an appointment's reminders by (appointment_id, id).
 */
export class AppointmentReminders1797300000000 implements MigrationInterface {
    name = 'AppointmentReminders1797300000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."appointment_reminder_status" AS ENUM('planned', 'sending', 'sent', 'failed', 'cancelled', 'skipped')`);
        await queryRunner.query(`CREATE TABLE "appointment_reminders" ("id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "appointment_id" integer NOT NULL, "lead_seconds" integer NOT NULL, "send_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" "public"."appointment_reminder_status" NOT NULL DEFAULT 'planned', "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "appointment_reminders_lead_positive" CHECK (lead_seconds > 0), CONSTRAINT "appointment_reminders_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "appointment_reminders_planned_key" ON "appointment_reminders" ("appointment_id", "lead_seconds") WHERE status = 'planned'`);
        await queryRunner.query(`CREATE INDEX "appointment_reminders_appointment_idx" ON "appointment_reminders" ("appointment_id", "id")`);
        await queryRunner.query(`ALTER TABLE "appointment_reminders" ADD CONSTRAINT "appointment_reminders_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "appointment_reminders" DROP CONSTRAINT "appointment_reminders_appointment_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."appointment_reminders_appointment_idx"`);
        await queryRunner.query(`DROP INDEX "public"."appointment_reminders_planned_key"`);
        await queryRunner.query(`DROP TABLE "appointment_reminders"`);
        await queryRunner.query(`DROP TYPE "public"."appointment_reminder_status"`);
    }
}
