import { MigrationInterface, QueryRunner } from "typeorm";
import { accountNameSkeleton } from "../src/users/account-names";

/** Rows backfilled per UPDATE. */
const BATCH = 1000;

/**
 * The confusable skeletons of usernames and emails (TR39), each under a unique index, so an
 * account that merely looks like another (Cyrillic `а` for `a`, `0` for `o`) is refused by the
 * database even when two registrations race. The skeleton is computed in the service
 * (users/account-names.ts), so the backfill runs here in JavaScript, with the service's function:
 * a later change to that function or its data needs a new migration that recomputes both columns.
 *
 * Existing accounts may already look alike. The oldest of them (lowest id) keeps the skeleton and
 * the younger ones get NULL, which a unique index lets repeat: nobody's account or login changes,
 * and every new look-alike of any of them is still refused, because the skeleton they share is
 * held. `SELECT id, username, email FROM users WHERE username_skeleton IS NULL OR email_skeleton
 * IS NULL` lists them for an administrator to review.
 */
export class AccountNameSkeletons1795900000000 implements MigrationInterface {
    name = 'AccountNameSkeletons1795900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "username_skeleton" text`);
        await queryRunner.query(`ALTER TABLE "users" ADD "email_skeleton" text`);

        const rows = (await queryRunner.query(`SELECT id, username, email FROM users ORDER BY id`)) as { id: number; username: string; email: string }[];
        const usernames = new Set<string>();
        const emails = new Set<string>();
        /** The skeleton, or null when an older account holds it already. */
        const claim = (held: Set<string>, skeleton: string) => (held.has(skeleton) ? null : (held.add(skeleton), skeleton));
        const values = rows.map((row) => [row.id, claim(usernames, accountNameSkeleton(row.username)), claim(emails, accountNameSkeleton(row.email))] as const);
        for (let start = 0; start < values.length; start += BATCH) {
            const batch = values.slice(start, start + BATCH);
            await queryRunner.query(
                `UPDATE users SET username_skeleton = v.username_skeleton, email_skeleton = v.email_skeleton
                 FROM unnest($1::int[], $2::text[], $3::text[]) AS v (id, username_skeleton, email_skeleton)
                 WHERE users.id = v.id`,
                [batch.map((v) => v[0]), batch.map((v) => v[1]), batch.map((v) => v[2])],
            );
        }

        await queryRunner.query(`CREATE UNIQUE INDEX "users_username_skeleton_key" ON "users" ("username_skeleton") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_email_skeleton_key" ON "users" ("email_skeleton") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."users_email_skeleton_key"`);
        await queryRunner.query(`DROP INDEX "public"."users_username_skeleton_key"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_skeleton"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "username_skeleton"`);
    }
}
