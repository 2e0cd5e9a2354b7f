// Data migration: gives old invoices a status.
export const name = '0002_backfill_invoice_status';
export async function up(sql: (text: string) => Promise<unknown>): Promise<void> {
  await sql(`update platform.invoices set status = 'paid' where status is null`);
}
