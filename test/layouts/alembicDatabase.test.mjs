// Alembic owns its database (issue 12 item 2, issue 10): pgmig status reads the database alembic itself uses, never
// DATABASE_URL's or an embedded one, and creates nothing. Projects made by the real `alembic init` (Debian's
// python3-alembic): the URL in alembic.ini only (with ConfigParser interpolation), an env.py that computes it (asked
// through `alembic current`), and no usable URL (status says it cannot know).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ALEMBIC, alembicMissing, core, freshDb, pgmig, postgresForTests, run, samples, tempDir } from './helpers.mjs';

const { alembicDatabase, interpolate, parseAlembicCurrent } = core('layouts/alembicDatabase.js');
const { diskFileSystem } = core('fileSystem.js');

const skip = alembicMissing();
const pg = postgresForTests(skip);

const C = '3c3d2e4f5a6b';
const D = '4d4e3f5a6b7c';

/** `alembic init` + the sample's four version files; sqlalchemy.url replaced by `url` (a line or lines). */
async function initProject(urlLines) {
  const dir = tempDir();
  const r = await run(`${ALEMBIC} init alembic`, [], { cwd: dir, shell: true });
  assert.equal(r.code, 0, r.out);
  const ini = path.join(dir, 'alembic.ini');
  writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, urlLines));
  cpSync(path.join(samples, 'alembic', 'alembic', 'versions'), path.join(dir, 'alembic', 'versions'), { recursive: true, filter: (f) => !f.includes('__pycache__') });
  writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ layout: { kind: 'alembic', command: ALEMBIC } }));
  return dir;
}

const noEmbedded = (dir) => assert.ok(!readdirSync(dir).includes('.pgmig'), 'no embedded database created');

describe('alembic: the database alembic uses', { skip }, () => {
  test('URL only in alembic.ini (interpolated): migrate upgrades it, status reads it, not DATABASE_URL', async () => {
    const name = freshDb(pg());
    const other = freshDb(pg());
    const base = pg().url(name).replace(/\/[^/]+$/, '').replace(/^postgres:/, 'postgresql+psycopg2:');
    const dir = await initProject(`db_name = ${name}\nsqlalchemy.url = ${base.replace(/%/g, '%%')}/%(db_name)s`);
    const env = { DATABASE_URL: pg().url(other) }; // not what alembic uses: env.py reads alembic.ini only
    let r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /applied: 4/);
    assert.match(r.stdout, new RegExp(`current revision: (${C}, ${D}|${D}, ${C})`));
    assert.match(r.stdout, new RegExp(`heads: ${C}, ${D}`));
    assert.match(r.stdout, new RegExp(`/${name} \\(from alembic\\.ini\\)`));
    assert.doesNotMatch(r.out, /test-secret-pw/);
    assert.equal(pg().psql(`select to_regclass('alembic_version') is null`, other).trim(), 't', 'DATABASE_URL\'s database untouched');
    noEmbedded(dir);
    // Without DATABASE_URL: the same answer.
    r = await pgmig(['status', '--json'], { cwd: dir, env: { DATABASE_URL: '' } });
    assert.equal(JSON.parse(r.stdout).migrations.filter((m) => m.state === 'applied').length, 4);
  });

  test('env.py computes the URL: status asks `alembic current`', async () => {
    const name = freshDb(pg());
    const dir = await initProject('sqlalchemy.url =');
    writeFileSync(path.join(dir, 'dbsettings.py'), `URL = ${JSON.stringify(pg().url(name).replace(/^postgres:/, 'postgresql:'))}\n`);
    const envPy = path.join(dir, 'alembic', 'env.py');
    writeFileSync(envPy, readFileSync(envPy, 'utf8').replace('config = context.config\n', 'config = context.config\nimport dbsettings\nconfig.set_main_option("sqlalchemy.url", dbsettings.URL)\n'));
    assert.equal(alembicDatabase(diskFileSystem, dir, path.join(dir, 'alembic'), {}).kind, 'tool');
    assert.equal((await run(`${ALEMBIC} upgrade ${C}`, [], { cwd: dir, shell: true })).code, 0);
    const r = await pgmig(['status'], { cwd: dir, env: { DATABASE_URL: '' } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, new RegExp(`current revision: ${C}\\n`));
    assert.match(r.stdout, /applied: 3/);
    assert.match(r.stdout, /pending: 1\n\s+4d4e3f5a6b7c_add_invoice_total\.py/);
    noEmbedded(dir);
  });

  test('no PostgreSQL URL anywhere: status says it cannot know, and creates nothing', async () => {
    const dir = await initProject('sqlalchemy.url = driver://user:pass@localhost/dbname');
    const r = await pgmig(['status'], { cwd: dir, env: { DATABASE_URL: '' } });
    assert.equal(r.code, 4, r.out); // could not be read: not 1 ("pending")
    assert.match(r.stderr, /cannot tell which database alembic uses: the database URL from alembic\.ini is not a PostgreSQL one \(driver\)/);
    assert.doesNotMatch(r.stdout, /pending/);
    noEmbedded(dir);
  });
});

describe('alembic database from the text of alembic.ini and env.py', () => {
  const at = (ini, envPy, env = {}) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'alembic.ini'), ini);
    mkdirSync(path.join(dir, 'scripts'));
    if (envPy !== undefined) writeFileSync(path.join(dir, 'scripts', 'env.py'), envPy);
    return { dir, r: alembicDatabase(diskFileSystem, dir, path.join(dir, 'scripts'), env) };
  };

  test('%(here)s, keys of the section and of [DEFAULT], %%', () => {
    const { dir, r } = at('[DEFAULT]\nhost = h1\n[alembic]\nsqlalchemy.url = postgresql+psycopg2://u:p%%40x@%(host)s/%(name)s\nname = db_%(here)s\n');
    assert.equal(r.kind, 'url');
    assert.equal(r.url, `postgresql://u:p%40x@h1/db_${dir}`);
    assert.equal(interpolate('%(a)s', () => undefined).missing, 'a');
  });

  test('env.py reading an environment variable (the sample\'s DATABASE_URL, os.getenv with a default, set_section_option)', () => {
    const sample = readFileSync(path.join(samples, 'alembic', 'alembic', 'env.py'), 'utf8');
    let { r } = at('[alembic]\nsqlalchemy.url =\n', sample, { DATABASE_URL: 'postgres://a@b/c' });
    assert.deepEqual(r, { kind: 'url', url: 'postgresql://a@b/c', source: '$DATABASE_URL (read by env.py)' });
    ({ r } = at('[alembic]\nsqlalchemy.url =\n', sample, {}));
    assert.equal(r.kind, 'unknown');
    assert.match(r.reason, /\$DATABASE_URL, which is not set/);
    ({ r } = at('[alembic]\nsqlalchemy.url = postgresql://u@h/%(DB_NAME)s\n', 'import os\nfrom alembic import context\nconfig = context.config\nsection = config.config_ini_section\nconfig.set_section_option(section, "DB_NAME", os.getenv("APP_DB", "appdb"))\n', {}));
    assert.equal(r.url, 'postgresql://u@h/appdb');
    ({ r } = at('[alembic]\nsqlalchemy.url = postgresql://u@h/x\n', 'from sqlalchemy import create_engine\nengine = create_engine(get_settings().url)\n'));
    assert.equal(r.kind, 'tool');
    ({ r } = at('[alembic]\nsqlalchemy.url = sqlite:///x.db\n', ''));
    assert.equal(r.kind, 'unknown');
    assert.match(r.reason, /not a PostgreSQL one \(sqlite\)/);
  });

  test("env.py's load_dotenv(): DATABASE_URL from the nearest .env, under the environment's (over it with override=True)", () => {
    const envPy = 'import os\nfrom dotenv import load_dotenv\nfrom alembic import context\nload_dotenv()\nconfig = context.config\nconfig.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n';
    const dir = tempDir();
    writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = scripts\n');
    mkdirSync(path.join(dir, 'scripts'));
    writeFileSync(path.join(dir, 'scripts', 'env.py'), envPy);
    writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgresql://from@dotenv/db\n');
    const r = (py, env = {}) => (writeFileSync(path.join(dir, 'scripts', 'env.py'), py), alembicDatabase(diskFileSystem, dir, path.join(dir, 'scripts'), env));
    assert.equal(r(envPy).url, 'postgresql://from@dotenv/db');
    assert.equal(r(envPy, { DATABASE_URL: 'postgresql://from@env/db' }).url, 'postgresql://from@env/db');
    assert.equal(r(envPy.replace('load_dotenv()', 'load_dotenv(override=True)'), { DATABASE_URL: 'postgresql://from@env/db' }).url, 'postgresql://from@dotenv/db');
    // Without load_dotenv, alembic never sees the file: not set.
    assert.equal(r(envPy.replace('load_dotenv()\n', '')).kind, 'unknown');
  });

  test('alembic current output', () => {
    assert.deepEqual(parseAlembicCurrent(`${C} (head)\n${D} (head) (effective head)\n`), [C, D]);
    assert.deepEqual(parseAlembicCurrent(''), []);
  });
});
