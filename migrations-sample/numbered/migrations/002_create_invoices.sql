-- Migration: 002_create_invoices
-- Purpose: invoices per account
-- Dependencies: 001_create_platform_schema
-- Rollback: rollback-002.sql
-- (no BEGIN/COMMIT: pgmig wraps it, psql -f would not: migration-without-transaction)

CREATE TABLE platform.invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES platform.accounts (id),
  amount_cents integer NOT NULL,
  notes text
);
ALTER TABLE platform.invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoices_all ON platform.invoices USING (true);
