import { MigrationInterface, QueryRunner } from "typeorm";

export class ClinicalRecords1795587440627 implements MigrationInterface {
    name = 'ClinicalRecords1795587440627'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."audit_outcome" AS ENUM('success', 'failure', 'denied')`);
        await queryRunner.query(`CREATE TABLE "audit_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" integer, "action" character varying(40) NOT NULL, "entity" character varying(40) NOT NULL, "entity_id" integer, "changed_fields" text array NOT NULL DEFAULT '{}', "request_id" character varying(128), "client_ip" inet, "outcome" "public"."audit_outcome" NOT NULL, CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "audit_events_occurred_at_idx" ON "audit_events"  ("occurred_at") `);
        await queryRunner.query(`CREATE INDEX "audit_events_actor_idx" ON "audit_events"  ("actor_id", "occurred_at") `);
        await queryRunner.query(`CREATE INDEX "audit_events_entity_idx" ON "audit_events"  ("entity", "entity_id", "occurred_at") `);
        await queryRunner.query(`CREATE TABLE "doctors" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by_id" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "deleted_at" TIMESTAMP WITH TIME ZONE, "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "name" character varying(200) NOT NULL, "email" citext, "phone" character varying(32), "specialization" character varying(100) NOT NULL, "license_number" character varying(50), "experience_years" smallint, "consultation_fee" numeric(10,2), "address" text, "availability" character varying(200), "user_id" integer, CONSTRAINT "doctors_fee_not_negative" CHECK (consultation_fee >= 0), CONSTRAINT "doctors_experience_range" CHECK (experience_years BETWEEN 0 AND 80), CONSTRAINT "doctors_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "doctors_specialization_idx" ON "doctors"  ("specialization") WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "doctors_user_id_key" ON "doctors"  ("user_id") WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "doctors_license_number_key" ON "doctors"  ("license_number") WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "doctors_email_key" ON "doctors"  ("email") WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE TYPE "public"."patient_gender" AS ENUM('male', 'female', 'other')`);
        await queryRunner.query(`CREATE TYPE "public"."blood_group" AS ENUM('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')`);
        await queryRunner.query(`CREATE TABLE "patients" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by_id" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "deleted_at" TIMESTAMP WITH TIME ZONE, "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "name" character varying(200) NOT NULL, "email" citext, "phone" character varying(32), "date_of_birth" date, "age" smallint, "gender" "public"."patient_gender", "blood_group" "public"."blood_group", "address" text, "emergency_contact" character varying(200), "medical_history" text, CONSTRAINT "patients_age_range" CHECK (age BETWEEN 0 AND 150), CONSTRAINT "patients_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "patients_owner_idx" ON "patients"  ("created_by_id", "id") WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE TABLE "patient_doctor_mappings" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by_id" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "deleted_at" TIMESTAMP WITH TIME ZONE, "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "patient_id" integer NOT NULL, "doctor_id" integer NOT NULL, "notes" text, "is_active" boolean NOT NULL DEFAULT true, "assigned_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "mappings_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "mappings_patient_idx" ON "patient_doctor_mappings"  ("patient_id") `);
        await queryRunner.query(`CREATE INDEX "mappings_doctor_idx" ON "patient_doctor_mappings"  ("doctor_id", "patient_id") WHERE is_active`);
        await queryRunner.query(`CREATE UNIQUE INDEX "mappings_active_pair_key" ON "patient_doctor_mappings"  ("patient_id", "doctor_id") WHERE is_active`);
        await queryRunner.query(`ALTER TABLE "doctors" ADD CONSTRAINT "doctors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "doctors" ADD CONSTRAINT "doctors_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patients" ADD CONSTRAINT "patients_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" ADD CONSTRAINT "mappings_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" ADD CONSTRAINT "mappings_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" ADD CONSTRAINT "mappings_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

        // Hand-written: what the entities cannot describe.
        // Trigram indexes serve ?search= (ILIKE '%term%'); email is citext, searched as text.
        await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
        await queryRunner.query(`CREATE INDEX "patients_name_trgm_idx" ON "patients" USING gin ("name" gin_trgm_ops) WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "patients_email_trgm_idx" ON "patients" USING gin (("email"::text) gin_trgm_ops) WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "patients_phone_trgm_idx" ON "patients" USING gin ("phone" gin_trgm_ops) WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "doctors_name_trgm_idx" ON "doctors" USING gin ("name" gin_trgm_ops) WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "doctors_specialization_trgm_idx" ON "doctors" USING gin ("specialization" gin_trgm_ops) WHERE deleted_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "doctors_email_trgm_idx" ON "doctors" USING gin (("email"::text) gin_trgm_ops) WHERE deleted_at IS NULL`);
        // The audit trail is append-only, whoever connects.
        await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`);
        await queryRunner.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_events"
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "audit_events_append_only" ON "audit_events"`);
        await queryRunner.query(`DROP FUNCTION audit_events_append_only()`);
        for (const index of ['patients_name', 'patients_email', 'patients_phone', 'doctors_name', 'doctors_specialization', 'doctors_email']) {
            await queryRunner.query(`DROP INDEX "public"."${index}_trgm_idx"`);
        }
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" DROP CONSTRAINT "mappings_created_by_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" DROP CONSTRAINT "mappings_doctor_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "patient_doctor_mappings" DROP CONSTRAINT "mappings_patient_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "patients" DROP CONSTRAINT "patients_created_by_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "doctors" DROP CONSTRAINT "doctors_created_by_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "doctors" DROP CONSTRAINT "doctors_user_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."mappings_active_pair_key"`);
        await queryRunner.query(`DROP INDEX "public"."mappings_doctor_idx"`);
        await queryRunner.query(`DROP INDEX "public"."mappings_patient_idx"`);
        await queryRunner.query(`DROP TABLE "patient_doctor_mappings"`);
        await queryRunner.query(`DROP INDEX "public"."patients_owner_idx"`);
        await queryRunner.query(`DROP TABLE "patients"`);
        await queryRunner.query(`DROP TYPE "public"."blood_group"`);
        await queryRunner.query(`DROP TYPE "public"."patient_gender"`);
        await queryRunner.query(`DROP INDEX "public"."doctors_email_key"`);
        await queryRunner.query(`DROP INDEX "public"."doctors_license_number_key"`);
        await queryRunner.query(`DROP INDEX "public"."doctors_user_id_key"`);
        await queryRunner.query(`DROP INDEX "public"."doctors_specialization_idx"`);
        await queryRunner.query(`DROP TABLE "doctors"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_entity_idx"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_actor_idx"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_occurred_at_idx"`);
        await queryRunner.query(`DROP TABLE "audit_events"`);
        await queryRunner.query(`DROP TYPE "public"."audit_outcome"`);
    }

}
