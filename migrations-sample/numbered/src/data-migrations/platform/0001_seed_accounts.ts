// Data migration (run by the project's own runner, `npm run data:migrate -- platform`): seeds the first accounts.
export const name = '0001_seed_accounts';
export async function up(sql: (text: string) => Promise<unknown>): Promise<void> {
  await sql(`insert into platform.accounts (name) values ('demo')`);
}
