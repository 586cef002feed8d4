import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Two-factor authentication by TOTP: the account's secrets (encrypted by the service, never in
 * clear), when it was enabled, the last time step accepted (no code twice), and its recovery codes
 * (their SHA-256 only, single use).
 */
export class TotpSecondFactor1796700000000 implements MigrationInterface {
    name = 'TotpSecondFactor1796700000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "mfa_secret" text`);
        await queryRunner.query(`ALTER TABLE "users" ADD "mfa_pending_secret" text`);
        await queryRunner.query(`ALTER TABLE "users" ADD "mfa_enabled_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "users" ADD "mfa_last_step" integer`);
        await queryRunner.query(`CREATE TABLE "mfa_recovery_codes" ("id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "user_id" integer NOT NULL, "code_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "mfa_recovery_codes_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "mfa_recovery_codes_user_id_code_hash_key" ON "mfa_recovery_codes" ("user_id", "code_hash") `);
        await queryRunner.query(`ALTER TABLE "mfa_recovery_codes" ADD CONSTRAINT "mfa_recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // The callers remembered between requests carry whether MFA is on: every instance forgets one whose MFA is turned on or off.
        await queryRunner.query(`DROP TRIGGER users_changed_update ON users`);
        await queryRunner.query(
            `CREATE TRIGGER users_changed_update AFTER UPDATE ON users FOR EACH ROW
             WHEN ((OLD.id, OLD.username::text, OLD.role, OLD.is_active, OLD.tokens_valid_after, OLD.mfa_enabled_at IS NULL)
                   IS DISTINCT FROM (NEW.id, NEW.username::text, NEW.role, NEW.is_active, NEW.tokens_valid_after, NEW.mfa_enabled_at IS NULL))
             EXECUTE FUNCTION notify_user_changed()`,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER users_changed_update ON users`);
        await queryRunner.query(
            `CREATE TRIGGER users_changed_update AFTER UPDATE ON users FOR EACH ROW
             WHEN ((OLD.id, OLD.username::text, OLD.role, OLD.is_active, OLD.tokens_valid_after)
                   IS DISTINCT FROM (NEW.id, NEW.username::text, NEW.role, NEW.is_active, NEW.tokens_valid_after))
             EXECUTE FUNCTION notify_user_changed()`,
        );
        await queryRunner.query(`ALTER TABLE "mfa_recovery_codes" DROP CONSTRAINT "mfa_recovery_codes_user_id_fkey"`);
        await queryRunner.query(`DROP INDEX "public"."mfa_recovery_codes_user_id_code_hash_key"`);
        await queryRunner.query(`DROP TABLE "mfa_recovery_codes"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_last_step"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_enabled_at"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_pending_secret"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_secret"`);
    }

}
