import { MigrationInterface, QueryRunner } from "typeorm";

/** Clinics and their members: one membership per account and clinic, with a role and a status. */
export class Clinics1796900000000 implements MigrationInterface {
    name = 'Clinics1796900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "clinics" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "name" character varying(200) NOT NULL, "timezone" character varying(64) NOT NULL, "address" text, "phone" character varying(32), "version" integer NOT NULL DEFAULT '1', "created_by_id" integer NOT NULL, CONSTRAINT "clinics_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TYPE "public"."clinic_role" AS ENUM('manager', 'staff', 'clinician')`);
        await queryRunner.query(`CREATE TYPE "public"."clinic_member_status" AS ENUM('invited', 'active')`);
        await queryRunner.query(`CREATE TABLE "clinic_members" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "clinic_id" integer NOT NULL, "user_id" integer NOT NULL, "role" "public"."clinic_role" NOT NULL, "status" "public"."clinic_member_status" NOT NULL, "invited_by_id" integer, CONSTRAINT "clinic_members_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "clinic_members_user_idx" ON "clinic_members" ("user_id", "clinic_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "clinic_members_clinic_user_key" ON "clinic_members" ("clinic_id", "user_id") `);
        await queryRunner.query(`ALTER TABLE "clinics" ADD CONSTRAINT "clinics_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "clinic_members" ADD CONSTRAINT "clinic_members_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinics"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "clinic_members" ADD CONSTRAINT "clinic_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "clinic_members" ADD CONSTRAINT "clinic_members_invited_by_id_fkey" FOREIGN KEY ("invited_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "clinic_members" DROP CONSTRAINT "clinic_members_invited_by_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "clinic_members" DROP CONSTRAINT "clinic_members_user_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "clinic_members" DROP CONSTRAINT "clinic_members_clinic_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "clinics" DROP CONSTRAINT "clinics_created_by_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."clinic_members_clinic_user_key"`);
        await queryRunner.query(`DROP INDEX "public"."clinic_members_user_idx"`);
        await queryRunner.query(`DROP TABLE "clinic_members"`);
        await queryRunner.query(`DROP TYPE "public"."clinic_member_status"`);
        await queryRunner.query(`DROP TYPE "public"."clinic_role"`);
        await queryRunner.query(`DROP TABLE "clinics"`);
    }

}
