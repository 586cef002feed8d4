import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What `npm run import:django` brought over: for each record of an old Django project's database
 * (its source), the id it had there and the id it has here. A second run of the same source skips
 * what is listed, so it imports only what is new. No foreign keys: the list outlives a record
 * deleted here afterwards, and a later run must not bring that record back.
 */
export class DjangoImports1796200000000 implements MigrationInterface {
    name = 'DjangoImports1796200000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "django_imports" ("source" character varying(300) NOT NULL, "kind" character varying(20) NOT NULL, "old_id" integer NOT NULL, "new_id" integer NOT NULL, "imported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "django_imports_pkey" PRIMARY KEY ("source", "kind", "old_id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "django_imports"`);
    }
}
