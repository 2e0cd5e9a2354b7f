// Every claim the migration safety rules make about PostgreSQL, checked on a real server (test/support/postgres.mjs,
// PostgreSQL 15 here): the lock a statement takes (pg_locks, read from a second session while the statement sits in
// an open transaction), whether it rewrites the table (pg_class.relfilenode before and after), and the errors
// PostgreSQL raises at deploy time. A missing server is an error, never a skip.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres } from '../support/postgres.mjs';
import { PLPGSQL_CASES } from './safetyFixtures.mjs';

let server;
/** One connection per test; a second one (`observer`) reads pg_locks. */
let db;
let observer;

before(async () => {
  server = await startPostgres();
  observer = new pg.Client(server.url());
  await observer.connect();
});
after(async () => {
  await observer?.end();
  await server?.stop();
});

/** A fresh database with orders (1,000 rows, an index), users, a view, a materialized view and an enum. */
let dbCounter = 0;
async function freshDatabase() {
  const name = `claims_${++dbCounter}`;
  await observer.query(`create database ${name}`);
  db = new pg.Client(server.url(name));
  await db.connect();
  await db.query(`
    create type order_status as enum ('new', 'paid');
    create table users (id int primary key, name text);
    insert into users select g, 'u' || g from generate_series(1, 100) g;
    create table orders (id int primary key, user_id int, status text, note varchar(20), total numeric(10,2), net cidr, kind order_status default 'new');
    insert into orders select g, 1 + g % 100, 'new', 'n', g, '10.0.0.0/8' from generate_series(1, 1000) g;
    create index orders_user_idx on orders (user_id);
    create view order_totals as select id, total from orders;
    create materialized view order_ids as select id from orders;
    create unique index on order_ids (id);
  `);
  return name;
}

/** The lock modes the test session holds (granted) on a relation, as pg_locks names them. The observer is connected
 * to another database, so the relation is named by its oid, looked up in the test session. */
async function locksOn(relation) {
  const { pid, oid } = (await db.query('select pg_backend_pid() as pid, to_regclass($1)::oid as oid', [relation])).rows[0];
  const { rows } = await observer.query('select mode from pg_locks where pid = $1 and relation = $2 and granted', [pid, oid]);
  return new Set(rows.map((r) => r.mode));
}

/** Runs `sql` in an open transaction and returns the locks held on each of `relations`; then rolls back. */
async function locksWhile(sql, relations) {
  await db.query('begin');
  try {
    await db.query(sql);
    const out = {};
    for (const r of relations) out[r] = [...(await locksOn(r))].sort();
    return out;
  } finally {
    await db.query('rollback');
  }
}

const relfilenode = async (table) => (await db.query('select relfilenode from pg_class where relname = $1', [table])).rows[0].relfilenode;

/** Whether `sql` rewrote `table` (a new relfilenode). */
async function rewrites(sql, table) {
  const before = await relfilenode(table);
  await db.query(sql);
  return (await relfilenode(table)) !== before;
}

const errorOf = async (sql, client = db) => {
  try {
    await client.query(sql);
    return undefined;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    return e.message;
  }
};

describe('PostgreSQL behind the migration safety rules', () => {
  before(async () => {
    await observer.query('select 1');
  });

  test('non-concurrent-index: CREATE INDEX takes SHARE, DROP INDEX ACCESS EXCLUSIVE on the table, REINDEX SHARE', async () => {
    await freshDatabase();
    assert.deepEqual((await locksWhile('create index orders_status_idx on orders (status)', ['orders'])).orders, ['ShareLock']);
    assert.ok((await locksWhile('drop index orders_user_idx', ['orders'])).orders.includes('AccessExclusiveLock'));
    assert.deepEqual((await locksWhile('reindex table orders', ['orders'])).orders, ['ShareLock']);
    const reindexIndex = await locksWhile('reindex index orders_user_idx', ['orders', 'orders_user_idx']);
    assert.deepEqual(reindexIndex.orders, ['ShareLock']);
    assert.ok(reindexIndex.orders_user_idx.includes('AccessExclusiveLock'));
    await db.end();
  });

  test('non-concurrent-index: CREATE INDEX CONCURRENTLY holds SHARE UPDATE EXCLUSIVE, and writes go on meanwhile', async () => {
    const name = await freshDatabase();
    // A writer's open transaction makes CIC wait (it waits for older transactions) while holding its lock.
    const writer = new pg.Client(server.url(name));
    const third = new pg.Client(server.url(name));
    await writer.connect();
    await third.connect();
    await writer.query('begin');
    await writer.query("update orders set status = 'paid' where id = 1");
    const { pid, oid } = (await db.query("select pg_backend_pid() as pid, 'orders'::regclass::oid as oid")).rows[0];
    const building = db.query('create index concurrently orders_status_idx on orders (status)');
    let mode;
    for (let i = 0; i < 200 && !mode; i++) {
      const { rows } = await observer.query('select mode from pg_locks where pid = $1 and relation = $2 and granted', [pid, oid]);
      mode = rows[0]?.mode;
      if (!mode) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(mode, 'ShareUpdateExclusiveLock');
    await third.query("set statement_timeout = '2s'");
    await third.query("update orders set status = 'paid' where id = 2"); // not blocked
    await writer.query('commit');
    await building;
    await writer.end();
    await third.end();
    await db.end();
  });

  test('concurrently-in-transaction: refused in BEGIN blocks and in a query of several statements; REFRESH ... CONCURRENTLY is not', async () => {
    await freshDatabase();
    await db.query('create table p (id int) partition by range (id); create table p1 partition of p for values from (0) to (10)');
    const inBlock = 'cannot run inside a transaction block';
    assert.match(await errorOf('begin; create index concurrently x on orders (status); commit'), new RegExp(inBlock));
    assert.match(await errorOf('begin; drop index concurrently orders_user_idx; commit'), new RegExp(inBlock));
    assert.match(await errorOf('begin; reindex table concurrently orders; commit'), new RegExp(inBlock));
    assert.match(await errorOf('begin; alter table p detach partition p1 concurrently; commit'), new RegExp(inBlock));
    // A file sent as one query: the implicit transaction block of a multi-statement query.
    assert.match(await errorOf('select 1; create index concurrently x on orders (status)'), new RegExp(inBlock));
    assert.equal(await errorOf('begin; refresh materialized view concurrently order_ids; commit'), undefined);
    assert.equal(await errorOf('create index concurrently x on orders (status)'), undefined);
    await db.end();
  });

  test('constraint-without-not-valid: ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on both tables and scans; CHECK takes ACCESS EXCLUSIVE; NOT VALID skips the scan', async () => {
    await freshDatabase();
    const fk = await locksWhile('alter table orders add constraint orders_user_fk foreign key (user_id) references users (id)', ['orders', 'users']);
    assert.ok(fk.orders.includes('ShareRowExclusiveLock') && fk.users.includes('ShareRowExclusiveLock'), JSON.stringify(fk));
    assert.ok((await locksWhile('alter table orders add constraint orders_total check (total > 0)', ['orders'])).orders.includes('AccessExclusiveLock'));
    // The scan: an existing violating row fails the plain ADD, not the NOT VALID one.
    await db.query('insert into orders (id, user_id, total) values (5000, 999, -1)');
    assert.match(await errorOf('alter table orders add constraint orders_total check (total > 0)'), /is violated by some row/);
    assert.match(await errorOf('alter table orders add constraint orders_user_fk foreign key (user_id) references users (id)'), /violates foreign key constraint/);
    assert.equal(await errorOf('alter table orders add constraint orders_total check (total > 0) not valid'), undefined);
    // A column added with an inline REFERENCES is checked against every row too (and cannot be NOT VALID).
    assert.match(await errorOf('alter table orders add column buyer_id int default 999 references users (id)'), /violates foreign key constraint/);
    assert.match(await errorOf('alter table orders add column buyer_id int references users (id) not valid'), /syntax error|not supported|NOT VALID/i);
    // VALIDATE alone takes SHARE UPDATE EXCLUSIVE (reads and writes go on).
    await db.query('delete from orders where id = 5000');
    assert.deepEqual((await locksWhile('alter table orders validate constraint orders_total', ['orders'])).orders, ['ShareUpdateExclusiveLock']);
    await db.end();
  });

  test('validate-in-same-transaction: after ADD ... NOT VALID the stronger lock is still held when VALIDATE scans', async () => {
    await freshDatabase();
    const held = await locksWhile('alter table orders add constraint orders_total check (total > 0) not valid; alter table orders validate constraint orders_total', ['orders']);
    assert.ok(held.orders.includes('AccessExclusiveLock'), JSON.stringify(held));
    await db.end();
  });

  test('constraint-builds-index: ADD PRIMARY KEY / UNIQUE build an index under ACCESS EXCLUSIVE; USING INDEX adopts a concurrently built one', async () => {
    await freshDatabase();
    const unique = await locksWhile('alter table users add constraint users_name_key unique (name)', ['users']);
    assert.ok(unique.users.includes('AccessExclusiveLock'));
    // A column added with an inline UNIQUE builds its index in the same command, under the same lock.
    const inline = await locksWhile("alter table users add column email text unique; select count(*) from pg_indexes where indexname = 'users_email_key'", ['users']);
    assert.ok(inline.users.includes('AccessExclusiveLock'));
    await db.query('create unique index concurrently users_name_idx on users (name)');
    const before = (await db.query("select count(*)::int as n from pg_class where relkind = 'i'")).rows[0].n;
    await db.query('alter table users add constraint users_name_key unique using index users_name_idx');
    assert.equal((await db.query("select count(*)::int as n from pg_class where relkind = 'i'")).rows[0].n, before, 'no new index was built');
    await db.end();
  });

  test('add-column-rewrites-table: volatile defaults, serial, identity and STORED columns rewrite; constant and stable defaults do not', async () => {
    await freshDatabase();
    assert.ok((await locksWhile('alter table orders add column a int default 0', ['orders'])).orders.includes('AccessExclusiveLock'));
    for (const sql of ['add column c0 int default 0', "add column c1 text default 'x'", 'add column c2 timestamptz default now()', 'add column c3 int']) {
      assert.equal(await rewrites(`alter table orders ${sql}`, 'orders'), false, sql);
    }
    for (const sql of ['add column r0 uuid default gen_random_uuid()', 'add column r1 float8 default random()', 'add column r2 timestamptz default clock_timestamp()', 'add column r3 bigserial', 'add column r4 int generated always as identity', 'add column r5 numeric generated always as (total * 2) stored']) {
      assert.equal(await rewrites(`alter table orders ${sql}`, 'orders'), true, sql);
    }
    // A function left VOLATILE (the default) rewrites; declared STABLE it does not; a LANGUAGE sql one may be inlined
    // (the rule does not report those).
    await db.query("create function v() returns int language plpgsql as 'begin return 1; end'; create function s() returns int language plpgsql stable as 'begin return 1; end'; create function i() returns int language sql as 'select 1'");
    assert.equal(await rewrites('alter table orders add column u0 int default v()', 'orders'), true, 'volatile plpgsql');
    assert.equal(await rewrites('alter table orders add column u1 int default s()', 'orders'), false, 'stable');
    assert.equal(await rewrites('alter table orders add column u2 int default i()', 'orders'), false, 'volatile sql, inlined');
    await db.end();
  });

  test('set-not-null-scans-table: ACCESS EXCLUSIVE; a validated CHECK (col IS NOT NULL) lets PostgreSQL skip the scan', async () => {
    await freshDatabase();
    assert.ok((await locksWhile('alter table orders alter column status set not null', ['orders'])).orders.includes('AccessExclusiveLock'));
    const messages = [];
    db.on('notice', (n) => messages.push(n.message));
    await db.query('set client_min_messages = debug1');
    await db.query('alter table orders alter column note set not null');
    assert.ok(!messages.some((m) => /sufficient to prove/.test(m)), 'scanned without a check');
    await db.query('alter table orders add constraint status_nn check (status is not null) not valid');
    await db.query('alter table orders validate constraint status_nn');
    await db.query('alter table orders alter column status set not null');
    assert.ok(messages.some((m) => /existing constraints on column "orders.status" are sufficient to prove that it does not contain nulls/.test(m)), messages.join('\n'));
    await db.end();
  });

  test('rename-breaks-clients: a rename takes ACCESS EXCLUSIVE, and queries of the old name fail', async () => {
    await freshDatabase();
    assert.ok((await locksWhile('alter table orders rename column note to remark', ['orders'])).orders.includes('AccessExclusiveLock'));
    await db.query('alter table orders rename column note to remark; alter view order_totals rename to order_sums; alter table users rename to members');
    assert.match(await errorOf('select note from orders'), /column "note" does not exist/);
    assert.match(await errorOf('select * from order_totals'), /does not exist/);
    assert.match(await errorOf('select * from users'), /does not exist/);
    await db.end();
  });

  test('missing-lock-timeout: a waiting ALTER TABLE makes later readers queue; lock_timeout makes it give up instead', async () => {
    const name = await freshDatabase();
    const longReader = new pg.Client(server.url(name));
    const reader = new pg.Client(server.url(name));
    await longReader.connect();
    await reader.connect();
    await longReader.query('begin');
    await longReader.query('select count(*) from orders');
    const altering = db.query('alter table orders add column a int').catch((e) => e);
    await new Promise((r) => setTimeout(r, 200));
    await reader.query("set statement_timeout = '300ms'");
    assert.match(await errorOf('select count(*) from orders', reader), /canceling statement due to statement timeout/, 'a plain read queues behind the waiting ALTER');
    await longReader.query('commit');
    assert.equal((await altering)?.message, undefined);
    await longReader.query('begin');
    await longReader.query('select count(*) from orders');
    await db.query("set lock_timeout = '100ms'");
    assert.match(await errorOf('alter table orders add column b int'), /canceling statement due to lock timeout/);
    await longReader.query('commit');
    // The other statements missing-lock-timeout counts block writes too.
    await db.query('create function f() returns trigger language plpgsql as $$ begin return new; end $$');
    assert.ok((await locksWhile('create trigger t before insert on orders for each row execute function f()', ['orders'])).orders.includes('ShareRowExclusiveLock'));
    assert.ok((await locksWhile('create policy p on orders using (true)', ['orders'])).orders.includes('AccessExclusiveLock'));
    assert.ok((await locksWhile('create table refs (user_id int references users (id))', ['users'])).users.includes('ShareRowExclusiveLock'));
    await longReader.end();
    await reader.end();
    await db.end();
  });

  test('enum-value-used-in-same-transaction: "unsafe use of new value", even for a type new in that transaction', async () => {
    await freshDatabase();
    assert.match(await errorOf("begin; alter type order_status add value 'shipped'; update orders set kind = 'shipped' where id = 1; commit"), /unsafe use of new value "shipped"/);
    assert.equal(await errorOf("alter type order_status add value 'shipped'; "), undefined);
    assert.equal(await errorOf("update orders set kind = 'shipped' where id = 1"), undefined);
    // Even for a type created in the same transaction.
    assert.match(await errorOf("begin; create type t_status as enum ('a'); alter type t_status add value 'b'; select 'b'::t_status; commit"), /unsafe use of new value "b"/);
    await db.end();
  });

  test('update-or-delete-without-where: every row stays locked until commit, so other writers wait', async () => {
    const name = await freshDatabase();
    const other = new pg.Client(server.url(name));
    await other.connect();
    await db.query("begin; update orders set status = 'paid'");
    await other.query("set lock_timeout = '200ms'");
    assert.match(await errorOf("update orders set status = 'new' where id = 777", other), /lock timeout/);
    await db.query('rollback');
    await other.end();
    await db.end();
  });

  test('transaction-nesting: a COMMIT inside the runner\'s transaction leaves the statements before it applied when a later one fails', async () => {
    await freshDatabase();
    // What a runner does: BEGIN, the migration's text, COMMIT (or ROLLBACK on error).
    await db.query('begin');
    await assert.rejects(db.query('create table half_a (id int); commit; create table half_b (id int); select 1/0'));
    await db.query('rollback').catch(() => undefined);
    assert.equal((await db.query("select to_regclass('half_a') is not null as ok")).rows[0].ok, true, 'applied before the COMMIT');
    const warnings = [];
    db.on('notice', (n) => warnings.push(n.message));
    await db.query('begin; begin; rollback');
    assert.ok(warnings.some((m) => /there is already a transaction in progress/.test(m)));
    await db.end();
  });

  test('column-type-change: binary-coercible widenings keep the table; other changes rewrite it', async () => {
    await freshDatabase();
    await db.query('drop view order_totals; drop materialized view order_ids');
    for (const t of ['varchar(50)', 'varchar', 'text']) assert.equal(await rewrites(`alter table orders alter column note type ${t}`, 'orders'), false, t);
    await db.query('alter table orders alter column status type varchar');
    assert.equal(await rewrites('alter table orders alter column total type numeric(12,2)', 'orders'), false);
    assert.equal(await rewrites('alter table orders alter column total type numeric', 'orders'), false);
    assert.equal(await rewrites('alter table orders alter column net type inet', 'orders'), false);
    await db.query('alter table orders add column v varchar(20)');
    assert.equal(await rewrites('alter table orders alter column v type varchar(10)', 'orders'), true, 'narrower varchar');
    await db.query('alter table orders add column m numeric(10,2)');
    assert.equal(await rewrites('alter table orders alter column m type numeric(12,3)', 'orders'), true, 'another scale');
    assert.equal(await rewrites('alter table orders alter column id type bigint', 'orders'), true, 'int to bigint');
    await db.end();
  });

  test('syntax-error in PL/pgSQL: CREATE FUNCTION fails with the same message, at the position pgmig reports', async () => {
    await freshDatabase();
    for (const c of PLPGSQL_CASES) {
      let error;
      try {
        await db.query(c.sql);
      } catch (e) {
        error = e;
      }
      assert.ok(error, c.sql);
      assert.equal(error.message, c.message);
      // PostgreSQL's error position (1-based, in characters of the statement) is the line and column pgmig reports.
      const before = c.sql.slice(0, Number(error.position) - 1).split('\n');
      assert.deepEqual({ line: before.length, column: before.at(-1).length + 1 }, { line: c.line, column: c.column }, c.sql);
    }
    // A DO block: the same compiler, when the block runs.
    assert.equal(await errorOf('do $$ begin not plpgsql at all; end $$'), 'syntax error at or near "not"');
    // pg_dump's SET check_function_bodies = false: the body is not compiled, nothing fails.
    await db.query('set check_function_bodies = false');
    assert.equal(await errorOf(PLPGSQL_CASES[0].sql), undefined);
    await db.end();
  });
});