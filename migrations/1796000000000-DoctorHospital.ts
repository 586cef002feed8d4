import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The hospital a doctor practises at, which seed 004's clients send and read, searchable in the
 * doctor list like the other text fields: through its own trigram index, which the list's
 * `ILIKE '%term%'` ORs with the name, specialization and email ones.
 */
export class DoctorHospital1796000000000 implements MigrationInterface {
    name = 'DoctorHospital1796000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "doctors" ADD "hospital" character varying(200)`);
        await queryRunner.query(`CREATE INDEX "doctors_hospital_trgm_idx" ON "doctors" USING gin ("hospital" gin_trgm_ops) WHERE deleted_at IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."doctors_hospital_trgm_idx"`);
        await queryRunner.query(`ALTER TABLE "doctors" DROP COLUMN "hospital"`);
    }
}
