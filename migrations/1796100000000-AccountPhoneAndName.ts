import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * An account's telephone number and full name, which the Django projects' sign-ups sent (seed 002
 * `phone`, seed 003 `name`). Both nullable: existing accounts have neither.
 *
 * Phone numbers are unique by their digits and a leading `+`: the spaces, brackets, dots and
 * dashes a number may be written with (PHONE_PATTERN) do not make another number, so
 * `+1 (555) 010-0` and `+1 555 0100` are one. Nothing more: `0044 20…` and `+44 20…` stay two
 * numbers, as no country is known to tell them apart. The number is stored as written.
 */
export class AccountPhoneAndName1796100000000 implements MigrationInterface {
    name = 'AccountPhoneAndName1796100000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "phone" character varying(32)`);
        await queryRunner.query(`ALTER TABLE "users" ADD "full_name" character varying(150)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_phone_key" ON "users" (regexp_replace("phone", '[^0-9+]', '', 'g'))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."users_phone_key"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "full_name"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "phone"`);
    }
}
