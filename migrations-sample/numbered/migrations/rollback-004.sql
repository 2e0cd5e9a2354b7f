-- Rollback of 004_drop_invoice_notes.sql (the notes themselves are gone)
BEGIN;
ALTER TABLE platform.invoices ALTER COLUMN amount_cents TYPE integer;
ALTER TABLE platform.invoices ADD COLUMN notes text;
COMMIT;
