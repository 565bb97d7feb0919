-- Lets PostgreSQL find FerretDB documents by `_id` (and a few other fields) through an index
-- instead of a table scan.
-- Applied by deploy/local/servers.sh at every start; every statement is idempotent.
--
-- FerretDB v1 turns a filter on `_id` (a find, or the query step of an update or delete) into
--     SELECT _jsonb FROM <table> WHERE _jsonb->$1 @> $2
-- Its own unique index on (_jsonb->'_id') is a btree, which cannot serve `@>`, so each of those
-- read the whole table, at a cost that grew with it. Other equality filters are sent the same
-- way, with no index at all.
-- A GIN index on the same expression serves `@>`, provided the planner sees '_id' where the
-- statement has $1: FerretDB's driver (pgx) prepares and caches its statements, and a generic
-- plan cannot match an index on (_jsonb->'_id'), so plans are made per execution.
-- benchmarks/store_lookups.py, at 1,000 / 10,000 / 30,000 documents, without and with it:
-- find_one by _id 2.0 / 6.3 / 17.5 ms against 1.5 / 1.6 / 1.6 ms; update_one on _id and a
-- version 3.2 / 8.2 / 16.2 ms against 2.7 / 2.8 / 3.1 ms. At 20,000 documents, a find by
-- location_id and client_id: 15.6 ms against 1.4 ms. The price is on inserts: 0.063 against
-- 0.089 ms a document in insert_many, with all four indexes.

SET client_min_messages = warning;  -- not a notice per index that exists already

ALTER DATABASE ferretdb SET plan_cache_mode = force_custom_plan;

-- Indexes a table if FerretDB made it (it keeps each document in a `_jsonb` column).
CREATE OR REPLACE FUNCTION studio_index_ids(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE field text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl AND attname = '_jsonb' AND NOT attisdropped) THEN
    RETURN;
  END IF;
  -- `_id`, and the fields the services look documents up by: a version log's `key` (an
  -- aggregate read after a restart), `client_id` (a client's history, the copies of a client's
  -- profile on its rows), `location_id` (a report page of one location) and `expiring_credit`
  -- (the credits sweeper's due lots: only versions with expiring credit carry it). A document
  -- without the field costs the index nothing but a placeholder.
  FOREACH field IN ARRAY ARRAY['_id', 'key', 'client_id', 'location_id', 'expiring_credit'] LOOP
    -- fastupdate off: lookups follow inserts closely, and a pending list would be scanned by each
    EXECUTE format(
      'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
      left((SELECT relname FROM pg_class WHERE oid = tbl), 50) || '_' || ltrim(field, '_') || '_gin', tbl, field);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION studio_index_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands()
                 WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
    PERFORM studio_index_ids(created.objid::regclass);
  END LOOP;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'studio_index_new_tables') THEN
    CREATE EVENT TRIGGER studio_index_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
      EXECUTE FUNCTION studio_index_new_tables();
  END IF;
END $$;

-- collections created before the trigger existed
DO $$
DECLARE existing record;
BEGIN
  FOR existing IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    PERFORM studio_index_ids(existing.oid::regclass);
  END LOOP;
END $$;
