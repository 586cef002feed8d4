import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Sessions: one row per login (per refresh-token family), so an account's owner can list and end
 * them, and `users.tokens_valid_after`, so ending every session ends its access tokens too. The
 * families of existing refresh tokens become sessions, ended when every token of theirs is revoked.
 */
export class AccountSessions1796400000000 implements MigrationInterface {
    name = 'AccountSessions1796400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "sessions" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "family_id" uuid NOT NULL, "user_id" integer NOT NULL, "user_agent" text, "client_address" text, "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "sessions_family_id_key" ON "sessions"  ("family_id") `);
        await queryRunner.query(`CREATE INDEX "sessions_user_id_idx" ON "sessions"  ("user_id") `);
        await queryRunner.query(`ALTER TABLE "users" ADD "tokens_valid_after" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(
            `INSERT INTO sessions (family_id, user_id, created_at, updated_at, last_used_at, expires_at, ended_at)
             SELECT family_id, min(user_id), min(created_at), max(created_at), max(created_at), max(expires_at),
                    CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END
             FROM refresh_tokens GROUP BY family_id`,
        );
        await queryRunner.query(`ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Every instance forgets its remembered caller when the instant moves, as for a role change.
        await queryRunner.query(`DROP TRIGGER users_changed_update ON users`);
        await queryRunner.query(
            `CREATE TRIGGER users_changed_update AFTER UPDATE ON users FOR EACH ROW
             WHEN ((OLD.id, OLD.username::text, OLD.role, OLD.is_active, OLD.tokens_valid_after)
                   IS DISTINCT FROM (NEW.id, NEW.username::text, NEW.role, NEW.is_active, NEW.tokens_valid_after))
             EXECUTE FUNCTION notify_user_changed()`,
        );
        await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "sessions"("family_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "refresh_tokens_family_id_fkey"`);
        await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "sessions_user_id_fkey"`);
        await queryRunner.query(`DROP TRIGGER users_changed_update ON users`);
        await queryRunner.query(
            `CREATE TRIGGER users_changed_update AFTER UPDATE ON users FOR EACH ROW
             WHEN ((OLD.id, OLD.username::text, OLD.role, OLD.is_active) IS DISTINCT FROM (NEW.id, NEW.username::text, NEW.role, NEW.is_active))
             EXECUTE FUNCTION notify_user_changed()`,
        );
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "tokens_valid_after"`);
        await queryRunner.query(`DROP INDEX "public"."sessions_user_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."sessions_family_id_key"`);
        await queryRunner.query(`DROP TABLE "sessions"`);
    }

}
