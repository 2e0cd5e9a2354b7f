// `pgmig init`: a new graphile-migrate project in a folder, laid out as graphile-migrate's own `init` does (.gmrc,
// migrations/current.sql, migrations/committed/, migrations/fixtures/), so that both tools work on it at once.
// Nothing is overwritten: a folder that already holds a project is refused. No database is touched and no .pgmig/
// is created (the embedded database appears, with its own ignore file, only when something writes to it).
import fs from 'node:fs';
import path from 'node:path';

/** graphile-migrate's blank current.sql. */
export const BLANK_CURRENT = '-- Enter migration here\n';

/** The .gmrc written by `pgmig init`: JSON5 that graphile-migrate and pgmig both read; no secrets in it. */
export const GMRC_TEMPLATE = `// graphile-migrate settings (JSON5), written by \`pgmig init\`; pgmig and graphile-migrate both read this file.
// The databases come from the environment (or a .env file beside this one), so nothing secret lives here:
//   DATABASE_URL         the database you develop against (without it, pgmig works on its embedded database)
//   SHADOW_DATABASE_URL  a throwaway database that \`commit\` validates the new migration on
//   ROOT_DATABASE_URL    a superuser connection, used to drop and recreate the shadow database
{
  // Settings for every migration's transaction, e.g. "search_path": "app_public, public".
  pgSettings: {},
  // Replaced in the migrations' text, e.g. ":DATABASE_VISITOR": "!ENV" (read from the environment).
  placeholders: {},
  // Actions after a reset, after all migrations, after current.sql ran (see graphile-migrate's README).
  afterReset: [],
  afterAllMigrations: [],
  afterCurrent: [],
}
`;

export interface InitResult {
  root: string;
  /** What was created, relative to root, folders ending in '/'. */
  created: string[];
}

export class InitRefused extends Error {}

/** Why `root` cannot get a new project, or undefined when it can. */
export function initRefusal(root: string): string | undefined {
  if (fs.existsSync(path.join(root, '.gmrc'))) return `${root} already has a .gmrc: it is a graphile-migrate project`;
  const migrations = path.join(root, 'migrations');
  if (fs.existsSync(migrations) && fs.readdirSync(migrations).length) return `${migrations} already exists and is not empty`;
  return undefined;
}

/** Creates the project in `root` (created if missing). Throws InitRefused when a project is already there. */
export function initProject(root: string): InitResult {
  const abs = path.resolve(root);
  const refusal = initRefusal(abs);
  if (refusal) throw new InitRefused(refusal);
  const created: string[] = [];
  const dir = (rel: string) => {
    const p = path.join(abs, rel);
    if (!fs.existsSync(p)) {
      fs.mkdirSync(p, { recursive: true });
      created.push(`${rel}/`);
    }
  };
  // `wx`: never over a file that appeared meanwhile.
  const file = (rel: string, text: string) => {
    fs.writeFileSync(path.join(abs, rel), text, { flag: 'wx' });
    created.push(rel);
  };
  fs.mkdirSync(abs, { recursive: true });
  file('.gmrc', GMRC_TEMPLATE);
  dir('migrations');
  dir('migrations/committed');
  dir('migrations/fixtures');
  file('migrations/current.sql', BLANK_CURRENT);
  return { root: abs, created };
}
