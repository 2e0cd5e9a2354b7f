// Alembic graphs pgmig used to misread (issue 12, items 4 and 5), each beside the real Alembic (Debian's
// python3-alembic) on real PostgreSQL: a version file with a Python syntax error (every alembic command fails; lint
// reports it and status says the graph cannot be read), and an independent labelled branch made with
// `alembic revision --head base --branch-label audit` (legitimate: not reported, upgraded with `heads`).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ALEMBIC, alembicMissing, copySample, freshDb, pgmig, postgresForTests, run } from './helpers.mjs';

const skip = alembicMissing();
const pg = postgresForTests(skip);

function sample() {
  const dir = copySample('alembic');
  writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ layout: { kind: 'alembic', command: ALEMBIC } }));
  return dir;
}
const alembic = (args, dir, env = {}) => run(`${ALEMBIC} ${args}`, [], { cwd: dir, shell: true, env });

describe('alembic graphs beside the real alembic', { skip }, () => {
  test('a version file with a Python syntax error: alembic fails; lint reports it at its line; status says the graph cannot be read', async () => {
    const dir = sample();
    const file = path.join(dir, 'alembic', 'versions', '2b2e1d3c4b5a_add_invoices.py');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('def upgrade() -> None:', 'def upgrade() -> None'));
    const line = text.split('\n').findIndex((l) => l.startsWith('def upgrade() -> None:')) + 1;
    const env = { DATABASE_URL: pg().url(freshDb(pg())) };
    const heads = await alembic('heads', dir, env);
    assert.notEqual(heads.code, 0, 'alembic itself cannot load the folder');
    assert.match(heads.stderr, /SyntaxError/);
    let r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.out);
    const found = JSON.parse(r.stdout).filter((f) => f.rule === 'alembic-revision-unreadable');
    assert.deepEqual(found.map((f) => `${path.basename(f.file)}:${f.line} ${f.severity}`), [`2b2e1d3c4b5a_add_invoices.py:${line} error`]);
    assert.match(found[0].message, /is not valid Python .*every alembic command fails until it is fixed/);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 4, r.out); // could not be read: not 1 ("pending")
    assert.match(r.stderr, new RegExp(`the revision graph cannot be read: alembic/versions/2b2e1d3c4b5a_add_invoices\\.py is not valid Python \\(line ${line}:`));
    assert.doesNotMatch(r.stdout, /pending|Up to date/);
  });

  test('an independent branch with its own base and label: no multiple-heads error; pgmig migrate upgrades both; status shows both heads', async () => {
    const dir = sample();
    assert.equal((await alembic('merge heads -m "merge heads"', dir)).code, 0);
    const made = await alembic('revision --head base --branch-label audit -m "audit log"', dir);
    assert.equal(made.code, 0, made.out);
    const auditFile = readdirSync(path.join(dir, 'alembic', 'versions')).find((f) => f.endsWith('_audit_log.py'));
    const auditRev = /^revision\b.*?['"](\w+)['"]/m.exec(readFileSync(path.join(dir, 'alembic', 'versions', auditFile), 'utf8'))[1];
    const heads = await alembic('heads', dir);
    assert.equal(heads.stdout.trim().split('\n').length, 2, heads.out);
    let r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout).filter((f) => f.rule.startsWith('alembic-')), []);
    assert.equal(r.code, 0, r.out);
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /upgrade heads/);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /applied: 6/);
    assert.match(r.stdout, new RegExp(`heads: .*${auditRev}`));
    assert.match(r.stdout, new RegExp(`current revision: .*${auditRev}`));
    // A second base without a label is what alembic cannot tell apart: reported.
    assert.equal((await alembic('revision --head base -m "stray base"', dir)).code, 0);
    r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.out);
    assert.ok(JSON.parse(r.stdout).some((f) => f.rule === 'alembic-multiple-heads' && /stray_base\.py\) heads an independent branch with no branch label/.test(f.message)), r.stdout);
  });
});
