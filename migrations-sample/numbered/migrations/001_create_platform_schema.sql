-- Migration: 001_create_platform_schema
-- Purpose: the platform schema and its accounts table
-- Dependencies: none
-- Rollback: rollback-001.sql

BEGIN;

CREATE SCHEMA IF NOT EXISTS platform;

CREATE TABLE IF NOT EXISTS platform.accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE platform.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_all ON platform.accounts USING (true);

CREATE TABLE IF NOT EXISTS platform.data_migrations (
  id serial PRIMARY KEY,
  name text UNIQUE NOT NULL,
  schema text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE platform.data_migrations ENABLE ROW LEVEL SECURITY;
CREATE POLICY data_migrations_all ON platform.data_migrations USING (true);

COMMIT;
