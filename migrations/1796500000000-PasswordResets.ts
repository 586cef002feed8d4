import { MigrationInterface, QueryRunner } from "typeorm";

/** The tokens of password reset links (their SHA-256 only): single use, voided by a newer request. */
export class PasswordResets1796500000000 implements MigrationInterface {
    name = 'PasswordResets1796500000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "password_reset_tokens" ("id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "user_id" integer NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "password_reset_tokens_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "password_reset_tokens_user_id_idx" ON "password_reset_tokens"  ("user_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "password_reset_tokens_token_hash_key" ON "password_reset_tokens"  ("token_hash") `);
        await queryRunner.query(`ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "password_reset_tokens" DROP CONSTRAINT "password_reset_tokens_user_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."password_reset_tokens_token_hash_key"`);
        await queryRunner.query(`DROP INDEX "public"."password_reset_tokens_user_id_idx"`);
        await queryRunner.query(`DROP TABLE "password_reset_tokens"`);
    }

}
