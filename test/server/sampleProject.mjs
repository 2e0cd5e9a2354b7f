// A small graphile-migrate project in a temp folder, with findings of several rules in current.sql, a fixture and a
// committed migration. Shared by the server tests (direct client and Neovim).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import committedMod from '../../out/core/graphile/committedFile.js';

const { formatCommittedFile } = committedMod;

export const COMMITTED_1 = `CREATE TABLE app_users (
  id serial PRIMARY KEY,
  email text NOT NULL
);
ALTER TABLE app_users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON app_users USING (true);
`;

export const COMMITTED_2 = `CREATE TABLE audit_log (
  id serial PRIMARY KEY,
  note text
);
`;

export const HELPERS = `CREATE TABLE helper_log (
  id int
);
ALTER TABLE helper_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY helper_all ON helper_log USING (true);
`;

export const CURRENT = `--!include functions/helpers.sql
CREATE TABLE IF NOT EXISTS posts (
  id bigint PRIMARY KEY,
  author_id int REFERENCES app_users (id),
  title text NOT NULL
);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_posts ON posts USING (true);
`;

/** Writes the sample project; returns its paths. */
export function makeProject(prefix = 'pgmig-lsp-') {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const migrations = path.join(root, 'migrations');
  mkdirSync(path.join(migrations, 'committed'), { recursive: true });
  mkdirSync(path.join(migrations, 'fixtures', 'functions'), { recursive: true });
  writeFileSync(path.join(root, '.gmrc'), '{ "connectionString": "postgres://localhost/app" }\n');
  const c1 = formatCommittedFile({ body: COMMITTED_1, previousHash: null });
  const c2 = formatCommittedFile({ body: COMMITTED_2, previousHash: c1.hash });
  const files = {
    root,
    migrations,
    committed1: path.join(migrations, 'committed', '000001.sql'),
    committed2: path.join(migrations, 'committed', '000002-audit.sql'),
    helpers: path.join(migrations, 'fixtures', 'functions', 'helpers.sql'),
    current: path.join(migrations, 'current.sql'),
  };
  writeFileSync(files.committed1, c1.text);
  writeFileSync(files.committed2, c2.text);
  writeFileSync(files.helpers, HELPERS);
  writeFileSync(files.current, CURRENT);
  return files;
}
