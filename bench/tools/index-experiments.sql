-- Index experiments for scenario 2 (owner's patient search) at 1,000,000 patients.
-- Run against a database left by `BENCH_KEEP_DB=1 DATABASE_URL=… npm run bench` (the run prints its
-- name), with the owner's user id:
--   psql "$URL" -v owner=<id> -f bench/tools/index-experiments.sql
-- Each candidate is created, measured with EXPLAIN ANALYZE and dropped again.
\timing on
SET max_parallel_workers_per_gather = 0;
PREPARE search_count(int, text) AS
  SELECT COUNT(1) FROM patients patient
  WHERE (patient.created_by_id = $1 AND (patient.name ILIKE $2 OR patient.email::text ILIKE $2 OR patient.phone ILIKE $2))
    AND patient.deleted_at IS NULL;
PREPARE search_page(int, text) AS
  SELECT * FROM patients patient
  WHERE (patient.created_by_id = $1 AND (patient.name ILIKE $2 OR patient.email::text ILIKE $2 OR patient.phone ILIKE $2))
    AND patient.deleted_at IS NULL
  ORDER BY id LIMIT 20;

-- As migrated: patients_owner_idx (created_by_id, id) and one trigram GIN index per column.
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_count(:owner, '%okafor%');
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_page(:owner, '%okafor%');

-- A: the owner index covering the searched columns: the count becomes an index-only scan of the
-- owner's entries (needs a fresh visibility map, i.e. autovacuum keeping up).
CREATE INDEX patients_owner_cover_idx ON patients (created_by_id, id) INCLUDE (name, email, phone) WHERE deleted_at IS NULL;
VACUUM ANALYZE patients;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_count(:owner, '%okafor%');
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_page(:owner, '%okafor%');
DROP INDEX patients_owner_cover_idx;

-- B: owner-scoped trigram indexes (btree_gin puts created_by_id into the GIN index): both queries
-- touch only the matching rows.
CREATE EXTENSION IF NOT EXISTS btree_gin;
SET maintenance_work_mem = '256MB';
CREATE INDEX patients_owner_name_trgm_idx ON patients USING gin (created_by_id, name gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX patients_owner_email_trgm_idx ON patients USING gin (created_by_id, (email::text) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX patients_owner_phone_trgm_idx ON patients USING gin (created_by_id, phone gin_trgm_ops) WHERE deleted_at IS NULL;
ANALYZE patients;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_count(:owner, '%okafor%');
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search_page(:owner, '%okafor%');
DROP INDEX patients_owner_name_trgm_idx;
DROP INDEX patients_owner_email_trgm_idx;
DROP INDEX patients_owner_phone_trgm_idx;
