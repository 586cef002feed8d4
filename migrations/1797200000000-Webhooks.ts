import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Webhooks: the endpoints integrators register and the deliveries of events to them.
 *
 * - `webhook_endpoints`: a URL, the event types it takes (never none), the clinic whose events it
 *   gets (null: every event, for an admin's endpoint), its signing secret (and the previous one
 *   during a rotation's overlap) sealed with AES-256-GCM, and the failed deliveries in a row that
 *   disable it. A deleted endpoint keeps its row (`deleted_at`), so its deliveries stay history.
 * - `webhook_deliveries`: one event to one endpoint, with its attempts; `status` is pending until
 *   a 2xx (succeeded) or until its retries run out at `retry_until` (failed). `attempting_until`
 *   is the lease of the attempt in flight, so two workers never send one delivery at once.
 */
export class Webhooks1797200000000 implements MigrationInterface {
    name = 'Webhooks1797200000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "webhook_endpoints" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL, "url" character varying(2000) NOT NULL, "events" character varying(64) array NOT NULL, "clinic_id" integer, "description" character varying(500) NOT NULL DEFAULT '', "is_active" boolean NOT NULL DEFAULT true, "secret" text NOT NULL, "previous_secret" text, "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT 0, "disabled_at" TIMESTAMP WITH TIME ZONE, "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT 1, "created_by_id" integer NOT NULL, CONSTRAINT "webhook_endpoints_events_check" CHECK (cardinality(events) > 0), CONSTRAINT "webhook_endpoints_failures_check" CHECK (consecutive_failures >= 0), CONSTRAINT "webhook_endpoints_previous_secret_check" CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)), CONSTRAINT "webhook_endpoints_deleted_inactive_check" CHECK (deleted_at IS NULL OR NOT is_active), CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_endpoints_clinic_idx" ON "webhook_endpoints" ("clinic_id") `);
        await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "endpoint_id" integer NOT NULL, "event_id" bigint NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT 0, "last_status_code" integer, "last_error" character varying(300), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "attempting_until" TIMESTAMP WITH TIME ZONE, "retry_until" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_deliveries_status_check" CHECK (status IN ('pending', 'succeeded', 'failed')), CONSTRAINT "webhook_deliveries_attempts_check" CHECK (attempts >= 0), CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("endpoint_id", "id") `);
        await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinics"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
        await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    }
}
