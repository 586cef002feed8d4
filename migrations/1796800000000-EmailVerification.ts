import { MigrationInterface, QueryRunner } from "typeorm";

/** E-mail verification: the flag on the account, and the links sent (token hashes, the address each verifies). */
export class EmailVerification1796800000000 implements MigrationInterface {
    name = 'EmailVerification1796800000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "email_verifications" ("id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "user_id" integer NOT NULL, "email" citext NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "email_verifications_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "email_verifications_user_id_idx" ON "email_verifications"  ("user_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "email_verifications_token_hash_key" ON "email_verifications"  ("token_hash") `);
        await queryRunner.query(`ALTER TABLE "users" ADD "email_verified" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`ALTER TABLE "email_verifications" ADD CONSTRAINT "email_verifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "email_verifications" DROP CONSTRAINT "email_verifications_user_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified"`);
        await queryRunner.query(`DROP INDEX "public"."email_verifications_token_hash_key"`);
        await queryRunner.query(`DROP INDEX "public"."email_verifications_user_id_idx"`);
        await queryRunner.query(`DROP TABLE "email_verifications"`);
    }

}
