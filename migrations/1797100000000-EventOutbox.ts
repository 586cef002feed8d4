import { MigrationInterface, QueryRunner } from "typeorm";
import PgBoss from "pg-boss";

/**
 * The outbox: events committed with the change that caused them, and the job queue that delivers
 * them, both in PostgreSQL.
 *
 * - The queue is pg-boss's own schema (`pgboss`), built here from the SQL of the pg-boss version
 *   package.json pins exactly, without its BEGIN/COMMIT (this migration's transaction holds it).
 *   The service starts pg-boss with `migrate: false`, so only migrations change that schema; a
 *   pg-boss upgrade comes with a migration running `PgBoss.getMigrationPlans`.
 * - Its queues and their retry policies: a webhook delivery is retried on a timetable the
 *   deliveries themselves bound (WEBHOOK_RETRY_FOR), a reminder a few times; a job whose worker
 *   died is run again once it has been active longer than its expiry.
 * - `events`: what happened (type, the record's ids, the changed fields, never a field's value),
 *   kept for the delivery log and for replays.
 */
export class EventOutbox1797100000000 implements MigrationInterface {
    name = 'EventOutbox1797100000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        const construction = PgBoss.getConstructionPlans('pgboss').replace(/^\s*BEGIN;\s*$/m, '').replace(/^\s*COMMIT;\s*$/m, '');
        await queryRunner.query(construction);
        const queue = (name: string, options: object) => queryRunner.query(`SELECT pgboss.create_queue($1, $2)`, [name, JSON.stringify(options)]);
        await queue('webhook-delivery', { policy: 'standard', retryLimit: 100000, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 });
        await queue('appointment-reminder', { policy: 'standard', retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 300 });

        await queryRunner.query(`CREATE TABLE "events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "type" character varying(64) NOT NULL, "clinic_id" integer, "data" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "events_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "events_occurred_at_idx" ON "events" ("occurred_at", "id")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "events"`);
        await queryRunner.query(`DROP SCHEMA "pgboss" CASCADE`);
    }
}
