// `schema dump`: pg_dump when one that can dump the server is installed, and a catalog dump (the embedded database,
// or no pg_dump) that replays: run on an empty database it rebuilds the same schema, on real PostgreSQL and PGlite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../support/postgres.mjs';
import { makeProject, pgmig, dbEnv, freshDb, core, cleanup } from './helpers.mjs';

let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

// Names sort against the order things must be created in: a view before the view it reads, a foreign key to a
// later table, a default calling a function, a function taking a table's row type, a serial column's sequence.
const SCHEMA = `
create schema app;
create type app.mood as enum ('sad', 'ok', 'it''s fine');
create domain app.email as text check (value like '%@%');
create type app.pair as (a int, b text);
create function app.slugify(t text) returns text language sql immutable as $$ select lower(t) $$;
create table app.b_child (id serial primary key, parent_id int not null, mood app.mood default 'ok', email app.email,
  created_at timestamptz not null default now(), n bigint generated always as identity, twice int generated always as (parent_id * 2) stored);
create table app.a_parent (id int primary key, name text unique, slug text default app.slugify('X'), favourite_child int references app.b_child (id));
alter table app.b_child add constraint b_child_parent_fk foreign key (parent_id) references app.a_parent (id) deferrable initially deferred;
create index b_child_parent_idx on app.b_child (parent_id);
create function app.children(p app.a_parent) returns setof app.b_child language sql stable as $$ select * from app.b_child where parent_id = p.id $$;
create view app.z_view as select id, name from app.a_parent;
create view app.a_view as select * from app.z_view where id > 1;
create materialized view app.m_view as select count(*) as n from app.a_view;
alter table app.b_child enable row level security;
create policy sees_parent on app.b_child using (exists (select 1 from app.a_parent p where p.id = parent_id));
create function app.touch() returns trigger language plpgsql as $$ begin new.created_at := now(); return new; end $$;
create trigger b_child_touch before update on app.b_child for each row execute function app.touch();
create table app.events (id int, at date not null) partition by range (at);
create table app.events_2024 partition of app.events for values from ('2024-01-01') to ('2025-01-01');
create index events_at_idx on app.events (at);
comment on table app.a_parent is 'parents';
comment on column app.a_parent.name is 'the name';
`;

async function dumpOf(provider) {
  const { catalogDump } = core('engine/schemaDump.js');
  try {
    return await provider.withSession((s) => catalogDump(s));
  } finally {
    await provider.close();
  }
}

test('the catalog dump replays on real PostgreSQL: the replayed database dumps the same', async () => {
  const { PgProvider } = core('db/pg.js');
  const a = freshDb(pg, 'dumpa');
  const b = freshDb(pg, 'dumpb');
  pg.psql(SCHEMA, a);
  const first = await dumpOf(new PgProvider(pg.url(a)));
  assert.match(first, /^SET check_function_bodies = false;$/m);
  assert.ok(first.indexOf('CREATE VIEW app.z_view') < first.indexOf('CREATE VIEW app.a_view'), 'a view after the view it reads');
  assert.match(first, /ALTER SEQUENCE app\.b_child_id_seq OWNED BY app\.b_child\.id;/);
  pg.psql(first, b); // psql stops at the first error (ON_ERROR_STOP)
  assert.equal(await dumpOf(new PgProvider(pg.url(b))), first);
});

test('the catalog dump replays on PGlite', { timeout: 120_000 }, async () => {
  const { PgliteProvider } = core('db/pglite.js');
  const a = new PgliteProvider({});
  await a.withSession((s) => s.exec(SCHEMA));
  const first = await dumpOf(a);
  const b = new PgliteProvider({});
  await b.withSession((s) => s.exec(first));
  assert.equal(await dumpOf(b), first);
});

test('schema dump on real PostgreSQL uses pg_dump when one can dump the server', async () => {
  const name = freshDb(pg, 'pgdump');
  pg.psql(SCHEMA, name);
  const dir = makeProject({ '.gmrc': '{}\n' });
  const r = await pgmig(['schema', 'dump'], { cwd: dir, env: dbEnv(pg, name) });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /\(pg_dump\)/);
  const text = fs.readFileSync(path.join(dir, 'schema.sql'), 'utf8');
  assert.match(text, /PostgreSQL database dump/);
  assert.match(text, /CREATE TABLE app\.a_parent/);
  const { findPgDump } = core('engine/schemaDump.js');
  assert.equal(findPgDump(Number.NaN), undefined);
  assert.equal(findPgDump(99), undefined, 'no pg_dump older than the server');
  cleanup(dir);
});
