// Drizzle Kit's configuration (pgmig reads `out` and `migrations` from it as text; drizzle-kit runs it).
export default {
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL! },
  migrations: { table: '__drizzle_migrations', schema: 'drizzle' },
};
