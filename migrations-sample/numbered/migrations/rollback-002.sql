-- Rollback of 002_create_invoices.sql
BEGIN;
DROP TABLE platform.invoices;
COMMIT;
