// Data migration of the billing schema (registry folders are per schema).
export const name = '0001_currency_defaults';
export async function up(): Promise<void> {}
