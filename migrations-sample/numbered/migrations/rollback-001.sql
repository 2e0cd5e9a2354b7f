-- Rollback of 001_create_platform_schema.sql
-- The platform schema stays: the tracking table (platform.schema_migrations) lives in it.
BEGIN;
DROP TABLE IF EXISTS platform.data_migrations;
DROP TABLE IF EXISTS platform.accounts;
COMMIT;
