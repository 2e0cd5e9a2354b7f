// graphile-migrate's `compile` and `run` in pgmig (issue 12, "what users of each tool look for"), compared with
// graphile-migrate 2.0.0-rc.3 itself on real PostgreSQL: the same compiled text (includes, placeholders), the same
// effect of `run`, a query's rows printed, an SQL error at its file and line.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gm } from '../engine/helpers.mjs';
import { freshDb, pgmig, postgresForTests, samples, tempDir } from './helpers.mjs';

const pg = postgresForTests();

function sample() {
  const dir = path.join(tempDir(), 'sample');
  cpSync(samples, dir, { recursive: true, filter: (src) => !/(?:^|\/)(?:numbered|drizzle|alembic|broken-history|\.pgmig)$/.test(src) });
  return dir;
}

describe('graphile-migrate compile and run', () => {
  test('compile: current.sql (or a file) with includes and placeholders, byte for byte graphile-migrate\'s', async () => {
    const dir = sample();
    const env = { DATABASE_URL: pg().url(freshDb(pg())) };
    const ours = await pgmig(['compile'], { cwd: dir, env });
    assert.equal(ours.code, 0, ours.out);
    const theirs = await gm(2, ['compile', 'migrations/current.sql'], { cwd: dir, env });
    assert.equal(theirs.code, 0, theirs.out);
    assert.equal(ours.stdout, theirs.stdout);
    assert.match(ours.stdout, /--! Included types\/comment_status\.sql/);
    assert.match(ours.stdout, /to app_visitor using/);
    assert.doesNotMatch(ours.stdout, /:DATABASE_VISITOR/);
    const named = await pgmig(['compile', 'migrations/current.sql'], { cwd: dir, env });
    assert.equal(named.stdout, theirs.stdout);
    assert.equal(pg().psql("select count(*) from pg_namespace where nspname = 'graphile_migrate'", new URL(env.DATABASE_URL).pathname.slice(1)).trim(), '0', 'compile touches no database');
  });

  test('run FILE: includes and placeholders, the same effect as graphile-migrate run; rows printed; errors at file:line', async () => {
    const dir = sample();
    mkdirSync(path.join(dir, 'seeds'));
    writeFileSync(path.join(dir, 'migrations', 'fixtures', 'seed_roles.sql'), "create table if not exists seeded (who text);\ninsert into seeded values (:DATABASE_NAME_TEXT);\n");
    writeFileSync(path.join(dir, '.gmrc'), '{ placeholders: { ":DATABASE_VISITOR": "app_visitor", ":DATABASE_NAME_TEXT": "\'seeded-by-run\'" } }\n');
    writeFileSync(path.join(dir, 'seeds', 'dev.sql'), '--!include seed_roles.sql\ninsert into seeded values (\':DATABASE_NAME\');\n');
    const mine = freshDb(pg());
    const theirs = freshDb(pg());
    let r = await pgmig(['run', 'seeds/dev.sql'], { cwd: dir, env: { DATABASE_URL: pg().url(mine) } });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /ran seeds\/dev\.sql/);
    const g = await gm(2, ['run', 'seeds/dev.sql'], { cwd: dir, env: { DATABASE_URL: pg().url(theirs) } });
    assert.equal(g.code, 0, g.out);
    assert.equal(pg().psql('select string_agg(who, \',\' order by who) from seeded', mine).trim(), `${mine},seeded-by-run`);
    assert.equal(pg().psql('select string_agg(who, \',\' order by who) from seeded', theirs).trim(), `${theirs},seeded-by-run`);
    writeFileSync(path.join(dir, 'seeds', 'count.sql'), 'select who, length(who) as n from seeded order by who;\n');
    r = await pgmig(['run', 'seeds/count.sql', '--json'], { cwd: dir, env: { DATABASE_URL: pg().url(mine) } });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(JSON.parse(r.stdout).map((x) => x.who), [mine, 'seeded-by-run']);
    // --root-user / --root-database (graphile-migrate's --root / --rootDatabase): through ROOT_DATABASE_URL.
    writeFileSync(path.join(dir, 'seeds', 'where.sql'), 'select current_database() as db;\n');
    const rootEnv = { DATABASE_URL: pg().url(mine), ROOT_DATABASE_URL: pg().url('postgres') };
    r = await pgmig(['run', 'seeds/where.sql', '--json', '--root-user'], { cwd: dir, env: rootEnv });
    assert.deepEqual(JSON.parse(r.stdout), [{ db: mine }], r.out);
    r = await pgmig(['run', 'seeds/where.sql', '--json', '--root-database'], { cwd: dir, env: rootEnv });
    assert.deepEqual(JSON.parse(r.stdout), [{ db: 'postgres' }], r.out);
    writeFileSync(path.join(dir, 'seeds', 'broken.sql'), 'select 1;\nselect nope from seeded;\n');
    r = await pgmig(['run', 'seeds/broken.sql'], { cwd: dir, env: { DATABASE_URL: pg().url(mine) } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /seeds\/broken\.sql:2:8: 42703: column "nope" does not exist/);
    // An error PostgreSQL gives without a position names its statement too (replayed in a rolled-back transaction).
    writeFileSync(path.join(dir, 'seeds', 'unpositioned.sql'), 'select 1;\n\nalter table seeded add column who text;\n');
    r = await pgmig(['run', 'seeds/unpositioned.sql'], { cwd: dir, env: { DATABASE_URL: pg().url(mine) } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /seeds\/unpositioned\.sql:3:1: 42701: column "who" of relation "seeded" already exists/);
  });

  test('run FILE on the embedded database: PGlite\'s "extension is not available" names its statement, through an include', async () => {
    const dir = sample();
    mkdirSync(path.join(dir, 'seeds'));
    writeFileSync(path.join(dir, 'migrations', 'fixtures', 'spatial.sql'), '-- maps\ncreate extension if not exists postgis;\n');
    writeFileSync(path.join(dir, 'seeds', 'geo.sql'), 'select 1;\n--!include spatial.sql\n');
    const env = { DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
    const r = await pgmig(['run', 'seeds/geo.sql'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /migrations\/fixtures\/spatial\.sql:2:1: 0A000: extension "postgis" is not available/);
    assert.match(r.stderr, /hint: the embedded database \(PGlite\) does not provide the extension "postgis"/);
  });
});
