import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A notification on channel `users_changed` whenever what a request's caller is made of (id,
 * username, role, active or not) changes or the account goes: the payload is the account's id,
 * or `*` when the table is truncated. Each instance of the service listens and forgets what it
 * remembered of that account, so it need not load the caller from the database on every request.
 *
 * A trigger rather than the service's own NOTIFY: an account changed by another instance, by the
 * create-admin script or by hand in SQL notifies all the same. PostgreSQL sends notifications on
 * commit, and only once per transaction for the same payload.
 */
export class UserChangeNotifications1795800000000 implements MigrationInterface {
    name = 'UserChangeNotifications1795800000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE FUNCTION notify_user_changed() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('users_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '*' ELSE OLD.id::text END);
                RETURN NULL;
            END
            $$`);
        await queryRunner.query(`
            CREATE TRIGGER users_changed_update AFTER UPDATE ON users FOR EACH ROW
            WHEN ((OLD.id, OLD.username::text, OLD.role, OLD.is_active) IS DISTINCT FROM (NEW.id, NEW.username::text, NEW.role, NEW.is_active))
            EXECUTE FUNCTION notify_user_changed()`);
        await queryRunner.query(`CREATE TRIGGER users_changed_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_user_changed()`);
        await queryRunner.query(`CREATE TRIGGER users_changed_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_user_changed()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER users_changed_truncate ON users`);
        await queryRunner.query(`DROP TRIGGER users_changed_delete ON users`);
        await queryRunner.query(`DROP TRIGGER users_changed_update ON users`);
        await queryRunner.query(`DROP FUNCTION notify_user_changed()`);
    }
}
