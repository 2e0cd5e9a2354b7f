// The repository stays clean (issue 10): nothing is created in a project until a command writes to the database;
// `status` of a project without one says "no database yet" without creating it; what pgmig creates carries its own
// `.gitignore` with `*`, so `git status` stays clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, pgmig, core, cleanup } from './helpers.mjs';

const { MigrationEngine } = core('engine/engine.js');
const { loadSettings } = core('engine/settings.js');
const { formatCommittedFile } = core('graphile/committedFile.js');
const EMBEDDED_ENV = { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };

const git = (dir, ...args) => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

function committedProject(extra = {}) {
  const one = formatCommittedFile({ body: 'create table a (id int primary key);\n', previousHash: null });
  const two = formatCommittedFile({ body: 'create table b (id int primary key);\n', previousHash: one.hash });
  const dir = makeProject({
    '.gmrc': '{}\n',
    'migrations/current.sql': '-- Enter migration here\n',
    'migrations/committed/000001.sql': one.text,
    'migrations/committed/000002.sql': two.text,
    ...extra,
  });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'project');
  return dir;
}

test('status of a project without a database creates nothing and says "no database yet" (CLI and engine API)', { timeout: 120_000 }, async () => {
  const dir = committedProject();
  try {
    const r = await pgmig(['status'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /no database yet: 2 pending/);
    assert.match(r.stdout, /pending: 2\n {4}000001\.sql\n {4}000002\.sql/);
    const json = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(JSON.parse(json.stdout).noDatabase, true);
    const engine = new MigrationEngine(loadSettings({ root: dir, env: EMBEDDED_ENV }));
    try {
      const st = await engine.status();
      assert.equal(st.noDatabase, true);
      assert.deepEqual(st.pending, ['000001.sql', '000002.sql']);
      assert.equal(st.exitCode, 1);
    } finally {
      await engine.close();
    }
    assert.ok(!fs.existsSync(path.join(dir, '.pgmig')), '.pgmig/ was created by a read');
    assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=all'), '');

    // The first write creates .pgmig/ with its ignore file; git status stays clean; status reads the database now.
    const m = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(m.code, 0, m.out);
    assert.equal(fs.readFileSync(path.join(dir, '.pgmig/.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');
    assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=all'), '');
    const after = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(after.code, 0, after.out);
    assert.equal(JSON.parse(after.stdout).noDatabase, undefined);
    assert.equal(JSON.parse(after.stdout).applied.length, 2);
  } finally {
    cleanup(dir);
  }
});

test('a .pgmig/ made by an older pgmig gets its ignore file; a data folder configured elsewhere carries its own', { timeout: 120_000 }, async () => {
  const dir = committedProject();
  try {
    fs.mkdirSync(path.join(dir, '.pgmig'));
    fs.writeFileSync(path.join(dir, '.pgmig/db.lock'), '999999'); // an older pgmig's stale PID file
    const m = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(m.code, 0, m.out);
    assert.ok(fs.existsSync(path.join(dir, '.pgmig/.gitignore')));
    assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=all'), '');
  } finally {
    cleanup(dir);
  }
  const custom = committedProject({ 'pgmig.json': '{ engine: { embeddedDataDir: "db/pglite" } }\n', 'db/README': 'the team\'s folder\n' });
  try {
    const m = await pgmig(['migrate'], { cwd: custom, env: EMBEDDED_ENV });
    assert.equal(m.code, 0, m.out);
    assert.ok(fs.existsSync(path.join(custom, 'db/pglite/PG_VERSION')));
    assert.ok(fs.existsSync(path.join(custom, 'db/pglite/.gitignore')));
    assert.ok(!fs.existsSync(path.join(custom, '.pgmig')));
    assert.equal(git(custom, 'status', '--porcelain', '--untracked-files=all'), '');
    // PostgreSQL does not mind the extra file: the database reopens.
    const st = await pgmig(['status', '--json'], { cwd: custom, env: EMBEDDED_ENV });
    assert.equal(JSON.parse(st.stdout).applied.length, 2, st.out);
  } finally {
    cleanup(custom);
  }
});

test('the ignore file comes with the folder: made under a temporary name, so no one sees .pgmig/ without it', () => {
  const { makeIgnoredFolder } = core('db/ignoredFolder.js');
  const dir = makeProject({});
  try {
    const made = makeIgnoredFolder(path.join(dir, '.pgmig', 'sub', 'db'));
    assert.equal(made, path.join(dir, '.pgmig'));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.pgmig', 'migrations']);
    assert.ok(fs.existsSync(path.join(dir, '.pgmig/sub/db')));
    assert.match(fs.readFileSync(path.join(dir, '.pgmig/.gitignore'), 'utf8'), /^\*$/m);
    assert.equal(makeIgnoredFolder(path.join(dir, '.pgmig', 'sub', 'db')), undefined);
  } finally {
    cleanup(dir);
  }
});

test('status of the other layouts (numbered, Drizzle) creates no embedded database either', { timeout: 120_000 }, async () => {
  const { repo } = await import('./helpers.mjs');
  for (const name of ['numbered', 'drizzle']) {
    const dir = path.join(makeProject({}), name);
    fs.cpSync(path.join(repo, 'migrations-sample', name), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.pgmig`) });
    try {
      const r = await pgmig(['status'], { cwd: dir, env: EMBEDDED_ENV });
      assert.equal(r.code, 1, r.out);
      const pending = Number(r.stdout.match(/pending: (\d+)/)?.[1]);
      assert.ok(pending > 0, r.out);
      // As for graphile projects: it says there is no database yet, rather than naming a folder that does not exist.
      assert.match(r.stdout, new RegExp(`no database yet: ${pending} pending \\(the first command that writes`));
      const json = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
      assert.equal(JSON.parse(json.stdout).noDatabase, true, json.out);
      assert.ok(!fs.existsSync(path.join(dir, '.pgmig')), `${name}: .pgmig/ was created by a read`);
      const m = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
      assert.equal(m.code, 0, m.out);
      assert.ok(fs.existsSync(path.join(dir, '.pgmig/.gitignore')));
      const after = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
      assert.equal(JSON.parse(after.stdout).noDatabase, undefined, after.out);
      assert.doesNotMatch((await pgmig(['status'], { cwd: dir, env: EMBEDDED_ENV })).stdout, /no database yet/);
    } finally {
      cleanup(path.dirname(dir));
    }
  }
});

test('a new data folder is a copy of a cached fresh cluster: a copy cut short is cleaned up, a broken template replaced', { timeout: 180_000 }, async () => {
  const { repo } = await import('./helpers.mjs');
  const cache = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'pgmig-cache-'));
  const env = { ...EMBEDDED_ENV, XDG_CACHE_HOME: cache };
  const dir = committedProject();
  try {
    let r = await pgmig(['migrate'], { cwd: dir, env }); // makes the image and the template in the (empty) cache
    assert.equal(r.code, 0, r.out);
    const wasm = fs.statSync(path.join(repo, 'dist/pglite.wasm')).size;
    const data = fs.statSync(path.join(repo, 'dist/pglite.data')).size;
    const template = path.join(cache, 'pgmig', `pglite-fresh-cluster-${wasm}-${data}`);
    assert.ok(fs.existsSync(path.join(template, 'PG_VERSION')));
    // A copy killed half-way left db.new-<pid>; a template a PGlite cannot start (garbage in its control file).
    fs.rmSync(path.join(dir, '.pgmig/db'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.pgmig/db.new-999999/base'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.pgmig/db.new-999999/PG_VERSION'), '18\n');
    fs.writeFileSync(path.join(template, 'global/pg_control'), 'garbage');
    r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /2 committed migration\(s\) applied/);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.pgmig')).sort(), ['.gitignore', 'db']);
    assert.ok(!fs.existsSync(template), 'the broken template is dropped (made again next time)');
    r = await pgmig(['status', '--json'], { cwd: dir, env });
    assert.equal(JSON.parse(r.stdout).applied.length, 2, r.out);
  } finally {
    cleanup(dir);
    cleanup(cache);
  }
});
