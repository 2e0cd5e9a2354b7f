// Each tool's own database, Drizzle: a Drizzle config's `dbCredentials` (url, or host/port/user/password/database)
// name the database pgmig reads and migrates, as drizzle-kit would read them (env references through the
// environment and .env); what cannot be resolved is refused with the reason, never answered from another database.
// A config whose `out` folder does not exist is reported as such, not as a project with 0 pending.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { copySample, core, drizzleKit, drizzleKitMissing, freshDb, pgmig, postgresForTests } from './helpers.mjs';

const { drizzleDatabase } = core('layouts/drizzleDatabase.js');
const { detectLayout } = core('layouts/detect.js');
const { diskFileSystem } = core('fileSystem.js');

const skip = drizzleKitMissing();
const pg = postgresForTests(skip);
/** No DATABASE_URL from the test's own environment. */
const clean = { DATABASE_URL: '', OTHER_DB_URL: '', DB_PASSWORD: '' };

/** The sample Drizzle project with its config replaced by `config` (file name: `name`). */
function project(name, config) {
  const dir = copySample('drizzle');
  rmSync(path.join(dir, 'drizzle.config.ts'));
  writeFileSync(path.join(dir, name), config);
  return dir;
}

describe('drizzle config dbCredentials, read as text', () => {
  const env = { DATABASE_URL: 'postgres://u@h/envdb', OTHER: 'postgresql://o@h2:6000/other', PORT: '6543' };
  const url = (text, e = env) => drizzleDatabase('drizzle.config.ts', text, e);
  test('a literal url, an env reference (with !, as string, ??), a const, the json file', () => {
    assert.deepEqual(url(`export default defineConfig({ out: './drizzle', dbCredentials: { url: 'postgres://a@b:5432/c' } })`), { kind: 'url', url: 'postgres://a@b:5432/c', source: 'drizzle.config.ts' });
    assert.equal(url(`export default { dbCredentials: { url: process.env.OTHER! } }`).url, env.OTHER);
    assert.equal(url(`export default { dbCredentials: { url: process.env["OTHER"] as string, } }`).url, env.OTHER);
    assert.equal(url(`export default { dbCredentials: { url: process.env.MISSING ?? "postgres://x@y/z" } }`).url, 'postgres://x@y/z');
    assert.equal(url(`const url = process.env.OTHER!;\nexport default { dbCredentials: { url } }`).url, env.OTHER);
    assert.equal(url(`const creds = { url: "postgres://k@l/m" };\nexport default { dbCredentials: creds }`).url, 'postgres://k@l/m');
    assert.equal(url(`{ "dialect": "postgresql", "out": "./drizzle", "dbCredentials": { "url": "postgres://j@localhost:5432/gator?sslmode=disable" } }`).url, 'postgres://j@localhost:5432/gator?sslmode=disable');
    assert.equal(url(`export default { dbCredentials: { url: process.env.OTHER! } }`).source, 'drizzle.config.ts: process.env.OTHER');
  });
  test('host, port, user, password, database, ssl', () => {
    const r = url(`export default { dbCredentials: { host: 'db.local', port: Number(process.env.PORT), user: 'app', password: 'p@ss word', database: 'shop', ssl: true } }`);
    assert.equal(r.url, 'postgresql://app:p%40ss%20word@db.local:6543/shop?sslmode=require');
    assert.equal(url(`export default { dbCredentials: { host: 'h', user: 'u', password: process.env.NOPE, database: 'd', ssl: false } }`).url, 'postgresql://u@h/d');
  });
  test('no dbCredentials: none; DATABASE_URL unset: none, with the reason', () => {
    assert.deepEqual(url(`export default { out: './drizzle', dialect: 'postgresql' }`), { kind: 'none' });
    const r = url(`export default { dbCredentials: { url: process.env.DATABASE_URL! } }`, {});
    assert.equal(r.kind, 'none');
    assert.match(r.note, /process\.env\.DATABASE_URL, which is not set/);
    assert.equal(url(`export default { dbCredentials: { url: process.env.DATABASE_URL ?? "" } }`, {}).kind, 'none');
    assert.match(url(`export default { dbCredentials: { url: process.env.OTHER_URL || "" } }`, {}).reason, /process\.env\.OTHER_URL, which is not set/);
  });
  test("drizzle-kit's PGlite driver: refused with the reason, not as a URL pgmig cannot connect to", () => {
    const r = url(`export default defineConfig({ dialect: 'postgresql', driver: 'pglite', dbCredentials: { url: './pglite-data' } })`);
    assert.equal(r.kind, 'unknown');
    assert.match(r.reason, /drizzle\.config\.ts: drizzle-kit uses a PGlite database \(driver: 'pglite', dbCredentials\.url \.\/pglite-data\), which pgmig does not open/);
    assert.match(r.reason, /pgmig\.json target and --target/);
  });
  test('a config that loads another env file (dotenv config({ path })): under the environment, over it with override', () => {
    const files = { '.env.local': { LOCAL_URL: 'postgres://l@h/local', OTHER: 'postgres://l@h/shadowed' } };
    const r = (text, e = env) => drizzleDatabase('drizzle.config.ts', text, e, '.env', (f) => files[f]);
    const cfg = (opts, key) => `import { config } from 'dotenv';\nconfig({ ${opts} });\nexport default { dbCredentials: { url: process.env.${key}! } };\n`;
    assert.equal(r(cfg("path: '.env.local'", 'LOCAL_URL')).url, 'postgres://l@h/local');
    assert.equal(r(cfg("path: '.env.local'", 'OTHER')).url, env.OTHER, 'what is set wins, as with dotenv');
    assert.equal(r(cfg("path: '.env.local', override: true", 'OTHER')).url, 'postgres://l@h/shadowed');
    assert.match(r(cfg("path: '.env.local'", 'NOPE')).reason, /neither in the environment nor in \.env or \.env\.local/);
  });

  test("create-t3-app's env module: env.NAME taken as process.env.NAME, and said so", () => {
    const t3 = `import { type Config } from "drizzle-kit";\nimport { env } from "~/env";\nexport default { schema: "./src/server/db/schema.ts", dialect: "postgresql", dbCredentials: { url: env.DATABASE_URL } } satisfies Config;\n`;
    assert.deepEqual(url(t3), { kind: 'url', url: env.DATABASE_URL, source: 'drizzle.config.ts: env.DATABASE_URL, taken as process.env.DATABASE_URL' });
    assert.match(url(t3.replaceAll('DATABASE_URL', 'OTHER_URL'), {}).reason, /dbCredentials\.url is env\.OTHER_URL \(taken as process\.env\.OTHER_URL\), which is not set/);
  });

  test('what cannot be resolved is unknown, with the expression and how to set it', () => {
    const a = url(`const env = loadEnv();\nexport default { dbCredentials: { url: env.DATABASE_URL } }`);
    assert.equal(a.kind, 'unknown');
    assert.match(a.reason, /dbCredentials\.url is env\.DATABASE_URL, which pgmig does not evaluate/);
    const b = url(`export default { dbCredentials: { url: process.env.MISSING! } }`);
    assert.match(b.reason, /process\.env\.MISSING, which is not set \(neither in the environment nor in \.env\)/);
    assert.match(url(`export default { dbCredentials: { url: "file:./local.db" } }`).reason, /not a postgres:\/\/ URL/);
    assert.match(url(`export default { dbCredentials: getCredentials() }`).reason, /dbCredentials is getCredentials\(\)/);
    // No password in a message, even from an expression pgmig does not evaluate.
    const c = url('export default { dbCredentials: { url: `postgres://u:hunter2@${host}/d` } }');
    assert.equal(c.kind, 'unknown');
    assert.doesNotMatch(c.reason, /hunter2/);
    assert.doesNotMatch(url('export default { dbCredentials: { host: "h", password: `hunter2${x}` } }').reason, /hunter2/);
  });
});

describe('a Drizzle config whose out folder does not exist', () => {
  test('is refused naming the folder and where it was looked for, not shown as 0 pending', async () => {
    const dir = copySample('drizzle');
    // A template config beside the real one (Yara-Afaneh/Blog-Aggregator: src/drizzle.config.ts).
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'src', 'drizzle.config.ts'), `import { defineConfig } from "drizzle-kit";\nexport default defineConfig({\n  schema: "src/<path_to_schema>",\n  out: "src/<path_to_generated_files>",\n  dialect: "postgresql",\n  dbCredentials: { url: "your_connection_string" },\n});\n`);
    assert.throws(() => detectLayout(diskFileSystem, path.join(dir, 'src'), undefined), /the migrations folder src\/<path_to_generated_files> \(`out` in drizzle\.config\.ts\) does not exist/);
    const r = await pgmig(['status'], { cwd: path.join(dir, 'src'), env: clean });
    assert.equal(r.code, 4, r.out); // a status that could not be read
    const json = await pgmig(['status', '--json'], { cwd: path.join(dir, 'src'), env: clean });
    assert.equal(json.code, 4, json.out);
    assert.match(JSON.parse(json.stdout).error.message, /does not exist/);
    assert.match(r.stderr, /drizzle\.config\.ts: the migrations folder src\/<path_to_generated_files> \(`out` in drizzle\.config\.ts\) does not exist in .*src: run drizzle-kit generate/);
    assert.doesNotMatch(r.out, /pending/);
  });
});

describe('the database drizzle-kit uses, with the real drizzle-kit', { skip }, () => {
  test('a literal url in drizzle.config.json: drizzle-kit migrates it, pgmig reads it (not DATABASE_URL, not the embedded one)', async () => {
    const name = freshDb(pg());
    const other = freshDb(pg());
    const dir = copySample('drizzle');
    rmSync(path.join(dir, 'drizzle.config.ts'));
    const json = { schema: './src/schema.ts', out: './drizzle', dialect: 'postgresql', dbCredentials: { url: pg().url(name) } };
    writeFileSync(path.join(dir, 'drizzle.config.json'), JSON.stringify(json, null, 2));
    const cfg = ['--config', 'drizzle.config.json'];
    const dk = await drizzleKit(['migrate', ...cfg], { cwd: dir, env: clean });
    assert.equal(dk.code, 0, dk.out);
    // DATABASE_URL names another database: drizzle-kit ignores it, and so does pgmig.
    for (const env of [clean, { ...clean, DATABASE_URL: pg().url(other) }]) {
      const st = await pgmig(['status'], { cwd: dir, env });
      assert.equal(st.code, 0, st.out);
      assert.match(st.stdout, new RegExp(`/${name} \\(from drizzle\\.config\\.json\\)`));
      assert.match(st.stdout, /applied: 3/);
      assert.match(st.stdout, /Up to date\./);
      assert.doesNotMatch(st.out, /test-secret-pw/, 'no password printed');
    }
    assert.deepEqual(diskFileSystem.list(dir).filter((n) => n === '.pgmig'), [], 'no embedded database created');
    assert.equal(pg().psql("select count(*) from pg_namespace where nspname = 'drizzle'", other).trim(), '0');
    // A target is the explicit way to another database.
    writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ targets: { other: { urlEnv: 'OTHER_DB_URL' } } }));
    const t = await pgmig(['migrate', '--target', 'other'], { cwd: dir, env: { ...clean, OTHER_DB_URL: pg().url(other) } });
    assert.equal(t.code, 0, t.out);
    assert.match(t.stdout, /3 migration\(s\) applied \(\[other\]/);
  });

  test('url from process.env.X through .env; host/port/user/password/database; rollback in that database', async () => {
    const name = freshDb(pg());
    const dir = project('drizzle.config.ts', `export default {\n  dialect: 'postgresql',\n  out: './drizzle',\n  dbCredentials: { url: process.env.OTHER_DB_URL! },\n};\n`);
    // Unset: refused, naming the variable and the file.
    const no = await pgmig(['status'], { cwd: dir, env: clean });
    assert.equal(no.code, 4, no.out); // could not be read: not 1 ("pending")
    assert.match(no.stderr, /cannot tell which database drizzle-kit uses: drizzle\.config\.ts: dbCredentials\.url is process\.env\.OTHER_DB_URL, which is not set \(neither in the environment nor in \.env\)/);
    assert.deepEqual(diskFileSystem.list(dir).filter((n) => n === '.pgmig'), [], 'the embedded database was not created');
    const json = await pgmig(['status', '--json'], { cwd: dir, env: clean });
    assert.equal(json.code, 4, json.out);
    assert.equal(JSON.parse(json.stdout).error.code, 'config');
    const mig = await pgmig(['migrate'], { cwd: dir, env: clean });
    assert.equal(mig.code, 1, mig.out);
    assert.match(mig.stderr, /cannot tell which database drizzle-kit uses/);
    // In .env: drizzle-kit (given the same environment) and pgmig agree.
    writeFileSync(path.join(dir, '.env'), `OTHER_DB_URL=${pg().url(name)}\n`);
    const dk = await drizzleKit(['migrate'], { cwd: dir, env: { ...clean, OTHER_DB_URL: pg().url(name) } });
    assert.equal(dk.code, 0, dk.out);
    const st = await pgmig(['status'], { cwd: dir, env: { DATABASE_URL: '' } }); // (an empty OTHER_DB_URL would win over .env, as with dotenv)
    assert.equal(st.code, 0, st.out);
    assert.match(st.stdout, /\(from drizzle\.config\.ts: process\.env\.OTHER_DB_URL\)/);
    assert.match(st.stdout, /applied: 3/);
    // The same database by its parts.
    const u = new URL(pg().url(name));
    writeFileSync(
      path.join(dir, 'drizzle.config.ts'),
      `export default {\n  dialect: 'postgresql',\n  out: './drizzle',\n  dbCredentials: {\n    host: '${u.hostname}',\n    port: ${u.port},\n    user: '${decodeURIComponent(u.username)}',\n    password: process.env.DB_PASSWORD,\n    database: '${name}',\n    ssl: false,\n  },\n};\n`,
    );
    const parts = await pgmig(['rollback'], { cwd: dir, env: { ...clean, DB_PASSWORD: decodeURIComponent(u.password) } });
    assert.equal(parts.code, 0, parts.out);
    assert.match(parts.stdout, /rolled back 0002_review_points\.sql/);
    assert.match(parts.stdout, /1 migration\(s\) rolled back \(.*\/\S+ \(from drizzle\.config\.ts\)\)/);
    assert.equal(pg().psql('select count(*) from drizzle.__drizzle_migrations', name).trim(), '2');
    const dk2 = await drizzleKit(['migrate'], { cwd: dir, env: { ...clean, DB_PASSWORD: decodeURIComponent(u.password) } });
    assert.equal(dk2.code, 0, dk2.out);
    assert.equal(pg().psql('select count(*) from drizzle.__drizzle_migrations', name).trim(), '3', 'drizzle-kit re-applied it in the same database');
  });

  test('url: process.env.DATABASE_URL unset: the embedded database, and status says why', async () => {
    const dir = copySample('drizzle');
    const st = await pgmig(['status'], { cwd: dir, env: clean });
    assert.equal(st.code, 1, st.out);
    assert.match(st.stdout, /^embedded database .*\(drizzle\.config\.ts's dbCredentials\.url is process\.env\.DATABASE_URL, which is not set\)/);
    assert.match(st.stdout, /no database yet: 3 pending/);
  });
});
