-- Lets PostgreSQL find a FerretDB document by `_id` through an index instead of a table scan.
-- Applied by deploy/local/servers.sh at every start; every statement is idempotent.
--
-- FerretDB v1 turns a filter on `_id` (a find, or the query step of an update or delete) into
--     SELECT _jsonb FROM <table> WHERE _jsonb->$1 @> $2
-- Its own unique index on (_jsonb->'_id') is a btree, which cannot serve `@>`, so each of those
-- read the whole table, so its cost grew with the table.
-- A GIN index on the same expression serves `@>`, provided the planner sees '_id' where the
-- statement has $1: FerretDB's driver (pgx) prepares and caches its statements, and a generic
-- plan cannot match an index on (_jsonb->'_id'), so plans are made per execution.
-- benchmarks/store_lookups.py, at 1,000 / 10,000 / 30,000 documents, without and with it:
-- find_one by _id 2.0 / 6.3 / 17.5 ms against 1.5 / 1.6 / 1.6 ms; update_one on _id and a
-- version 3.2 / 8.2 / 16.2 ms against 2.7 / 2.8 / 3.1 ms.

ALTER DATABASE ferretdb SET plan_cache_mode = force_custom_plan;

CREATE OR REPLACE FUNCTION studio_index_ids(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- fastupdate off: lookups follow inserts closely, and a pending list would be scanned by each
  EXECUTE format(
    'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> ''_id'') jsonb_path_ops) WITH (fastupdate = off)',
    left((SELECT relname FROM pg_class WHERE oid = tbl), 55) || '_id_gin', tbl);
END $$;

CREATE OR REPLACE FUNCTION studio_index_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands()
                 WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
    IF EXISTS (SELECT 1 FROM pg_attribute
               WHERE attrelid = created.objid AND attname = '_jsonb' AND NOT attisdropped) THEN
      PERFORM studio_index_ids(created.objid::regclass);
    END IF;
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
  FOR existing IN SELECT c.oid FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '_jsonb' AND NOT a.attisdropped
                  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    PERFORM studio_index_ids(existing.oid::regclass);
  END LOOP;
END $$;
