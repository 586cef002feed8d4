import { MigrationInterface, QueryRunner } from "typeorm";

export class Appointments1795587739264 implements MigrationInterface {
    name = 'Appointments1795587739264'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // The doctor's overlap constraint is created first: PostgreSQL checks a row against indexes in
        // creation order, so a booking that clashes for both doctor and patient reports the doctor.
        await queryRunner.query(`CREATE TYPE "public"."appointment_status" AS ENUM('SCHEDULED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW')`);
        await queryRunner.query(`CREATE TABLE "appointments" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "doctor_id" integer NOT NULL, "patient_id" integer NOT NULL, "appointment_datetime" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_minutes" smallint NOT NULL DEFAULT '30', "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" character varying(500), "status" "public"."appointment_status" NOT NULL DEFAULT 'SCHEDULED', "notes" text, "created_by_id" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "appointments_ends_after_start" CHECK (ends_at = appointment_datetime + make_interval(mins => duration_minutes)), CONSTRAINT "appointments_duration_range" CHECK (duration_minutes BETWEEN 5 AND 480), CONSTRAINT "appointments_doctor_no_overlap" EXCLUDE USING gist ("doctor_id" WITH =, tstzrange("appointment_datetime", "ends_at", '[)') WITH &&) WHERE ("status" IN ('SCHEDULED', 'CHECKED_IN')), CONSTRAINT "appointments_patient_no_overlap" EXCLUDE USING gist ("patient_id" WITH =, tstzrange("appointment_datetime", "ends_at", '[)') WITH &&) WHERE ("status" IN ('SCHEDULED', 'CHECKED_IN')), CONSTRAINT "appointments_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "appointments_patient_time_idx" ON "appointments"  ("patient_id", "appointment_datetime") `);
        await queryRunner.query(`CREATE INDEX "appointments_doctor_time_idx" ON "appointments"  ("doctor_id", "appointment_datetime") `);
        await queryRunner.query(`CREATE TABLE "appointment_status_changes" ("id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "appointment_id" integer NOT NULL, "from_status" "public"."appointment_status", "to_status" "public"."appointment_status" NOT NULL, "changed_by_id" integer NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "appointment_status_changes_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "appointment_status_changes_appointment_idx" ON "appointment_status_changes"  ("appointment_id", "id") `);
        await queryRunner.query(`CREATE TABLE "doctor_schedules" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "doctor_id" integer NOT NULL, "timezone" character varying(64) NOT NULL, "slot_minutes" smallint NOT NULL, "entries" jsonb NOT NULL, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "doctor_schedules_slot_range" CHECK (slot_minutes BETWEEN 5 AND 480), CONSTRAINT "doctor_schedules_pkey" PRIMARY KEY ("doctor_id"))`);
        await queryRunner.query(`ALTER TABLE "appointments" ADD CONSTRAINT "appointments_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "appointments" ADD CONSTRAINT "appointments_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "appointments" ADD CONSTRAINT "appointments_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "appointment_status_changes" ADD CONSTRAINT "appointment_status_changes_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "doctor_schedules" ADD CONSTRAINT "doctor_schedules_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctors"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "doctor_schedules" DROP CONSTRAINT "doctor_schedules_doctor_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "appointment_status_changes" DROP CONSTRAINT "appointment_status_changes_appointment_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_created_by_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_patient_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_doctor_id_fkey"`);
        await queryRunner.query(`DROP TABLE "doctor_schedules"`);
        await queryRunner.query(`DROP INDEX "public"."appointment_status_changes_appointment_idx"`);
        await queryRunner.query(`DROP TABLE "appointment_status_changes"`);
        await queryRunner.query(`DROP INDEX "public"."appointments_doctor_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."appointments_patient_time_idx"`);
        await queryRunner.query(`DROP TABLE "appointments"`);
        await queryRunner.query(`DROP TYPE "public"."appointment_status"`);
    }

}
