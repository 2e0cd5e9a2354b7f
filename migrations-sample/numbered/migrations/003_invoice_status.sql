-- Migration: 003_invoice_status
-- Purpose: a status per invoice, and an audit table
-- Dependencies: 002_create_invoices
-- Rollback: none yet (missing-rollback)

BEGIN;

ALTER TABLE platform.invoices ADD COLUMN status text NOT NULL;

CREATE TABLE platform.invoice_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES platform.invoices (id),
  happened_at timestamptz NOT NULL DEFAULT now()
);

COMMIT;
