import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Records of a clinic. Patients and doctor profiles may belong to one (existing rows stay
 * personal: the column is null); a schedule may name no time zone and use its clinic's; audit
 * entries carry the clinic of their record for its managers' trail (the statement that writes
 * them looks it up: see AuditRepository).
 *
 * - An owner's list is of its personal patients: the owner index holds only those, so the list
 *   and its count still read the index alone.
 * - A clinic's search reads only that clinic's keys: the owner-keyed search index of the
 *   OwnerSearchKeys migration, keyed by the clinic instead.
 * - A membership's change notifies `users_changed` with its account, as a change of the account
 *   does: what the caller may see depends on it, and every instance forgets that caller at once.
 */
export class ClinicRecords1797000000000 implements MigrationInterface {
    name = 'ClinicRecords1797000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "doctors" ADD "clinic_id" integer`);
        await queryRunner.query(`ALTER TABLE "patients" ADD "clinic_id" integer`);
        await queryRunner.query(`ALTER TABLE "audit_events" ADD "clinic_id" integer`);
        await queryRunner.query(`ALTER TABLE "doctor_schedules" ALTER COLUMN "timezone" DROP NOT NULL`);
        await queryRunner.query(`CREATE INDEX "doctors_clinic_idx" ON "doctors"  ("clinic_id", "id") WHERE deleted_at IS NULL AND clinic_id IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "patients_clinic_idx" ON "patients"  ("clinic_id", "id") WHERE deleted_at IS NULL AND clinic_id IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "audit_events_clinic_idx" ON "audit_events"  ("clinic_id", "occurred_at") WHERE clinic_id IS NOT NULL`);
        await queryRunner.query(`ALTER TABLE "doctors" ADD CONSTRAINT "doctors_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinics"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patients" ADD CONSTRAINT "patients_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinics"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`DROP INDEX "public"."patients_owner_idx"`);
        await queryRunner.query(`CREATE INDEX "patients_owner_idx" ON "patients"  ("created_by_id", "id") WHERE deleted_at IS NULL AND clinic_id IS NULL`);
        await queryRunner.query(`CREATE INDEX "patients_clinic_search_idx" ON "patients" USING gin (patient_search_keys("clinic_id", "name", "email"::text, "phone")) WHERE deleted_at IS NULL AND clinic_id IS NOT NULL`);
        await queryRunner.query(`
            CREATE FUNCTION notify_member_changed() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('users_changed', CASE WHEN TG_OP = 'INSERT' THEN NEW.user_id ELSE OLD.user_id END::text);
                RETURN NULL;
            END
            $$`);
        await queryRunner.query(`CREATE TRIGGER clinic_members_changed AFTER INSERT OR UPDATE OR DELETE ON clinic_members FOR EACH ROW EXECUTE FUNCTION notify_member_changed()`);
        await queryRunner.query(`CREATE TRIGGER clinic_members_changed_truncate AFTER TRUNCATE ON clinic_members FOR EACH STATEMENT EXECUTE FUNCTION notify_user_changed()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER clinic_members_changed_truncate ON clinic_members`);
        await queryRunner.query(`DROP TRIGGER clinic_members_changed ON clinic_members`);
        await queryRunner.query(`DROP FUNCTION notify_member_changed()`);
        await queryRunner.query(`DROP INDEX "public"."patients_clinic_search_idx"`);
        await queryRunner.query(`DROP INDEX "public"."patients_owner_idx"`);
        await queryRunner.query(`CREATE INDEX "patients_owner_idx" ON "patients"  ("created_by_id", "id") WHERE deleted_at IS NULL`);
        await queryRunner.query(`ALTER TABLE "patients" DROP CONSTRAINT "patients_clinic_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "doctors" DROP CONSTRAINT "doctors_clinic_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."audit_events_clinic_idx"`);
        await queryRunner.query(`DROP INDEX "public"."patients_clinic_idx"`);
        await queryRunner.query(`DROP INDEX "public"."doctors_clinic_idx"`);
        await queryRunner.query(`ALTER TABLE "doctor_schedules" ALTER COLUMN "timezone" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "clinic_id"`);
        await queryRunner.query(`ALTER TABLE "patients" DROP COLUMN "clinic_id"`);
        await queryRunner.query(`ALTER TABLE "doctors" DROP COLUMN "clinic_id"`);
    }
}
