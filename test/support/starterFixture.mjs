// test/vscode/fixtures/starter-env (a small graphile/starter: the project in @app/db, its .gmrc taking role names from
// !ENV, the URLs and roles in the .env at the top) copied into `dir` and set up on a PostgreSQL from postgres.mjs: its
// .env pointed at that server, the roles the starter's setup script creates, and the database (and `more` ones).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const starterFixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'vscode', 'fixtures', 'starter-env');

/** Copies the fixture to `dir` (unless it is there already) and prepares `pg`; returns the .env's text. */
export function setUpStarter(pg, dir, { copy = true, databases = ['starter'] } = {}) {
  if (copy) cpSync(starterFixture, dir, { recursive: true });
  const envFile = path.join(dir, '.env');
  const envText = readFileSync(envFile, 'utf8').replaceAll(':5432/', `:${pg.port}/`);
  writeFileSync(envFile, envText);
  pg.psql(`create role starter_owner login password 'owner-secret';
    create role starter_authenticator login password 'auth-secret' noinherit;
    create role starter_visitor;
    grant starter_visitor to starter_authenticator;`);
  for (const db of databases) pg.psql(`create database ${db} owner starter_owner`);
  return envText;
}
