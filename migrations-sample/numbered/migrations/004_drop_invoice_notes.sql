-- Migration: 004_drop_invoice_notes
-- Purpose: notes moved to the document store
-- Dependencies: 003_invoice_status
-- Rollback: rollback-004.sql

BEGIN;

ALTER TABLE platform.invoices DROP COLUMN notes;
ALTER TABLE platform.invoices ALTER COLUMN amount_cents TYPE bigint;

COMMIT;
