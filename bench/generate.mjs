// A large, deterministic migration file: about 100 bytes per statement, a realistic mix of DDL (tables with foreign
// keys, indexes, ALTER TABLE, RLS, policies, functions, comments) and data (inserts), with some findings on purpose.
// `generate(n)` returns the text of n statements; the first n/4 statements of generate(n) equal generate(n/4).

const NAMES = ['account', 'invoice', 'order', 'product', 'review', 'ticket', 'shipment', 'payment', 'coupon', 'vendor'];

/** The statements for entity i (an integer >= 0). */
function entity(i) {
  const t = `app.${NAMES[i % NAMES.length]}_${i}`;
  const short = `${NAMES[i % NAMES.length]}_${i}`;
  const parent = i > 0 ? `app.${NAMES[(i - 1) % NAMES.length]}_${i - 1}` : undefined;
  const out = [
    `create table if not exists ${t} (\n  id bigint generated always as identity primary key,\n` +
      (parent ? `  parent_id bigint references ${parent} (id) on delete cascade,\n` : '') +
      `  name text not null,\n  amount numeric(12, 2) not null default 0,\n  created_at timestamptz not null default now()\n);`,
  ];
  // Every seventh table leaves its foreign key unindexed.
  if (parent && i % 7 !== 0) out.push(`create index if not exists ${short}_parent_id_idx on ${t} (parent_id);`);
  out.push(`create index if not exists ${short}_created_at_idx on ${t} (created_at desc);`);
  // Every eleventh table forgets row level security.
  if (i % 11 !== 0) out.push(`alter table ${t} enable row level security;`);
  out.push(`drop policy if exists ${short}_select on ${t};`);
  out.push(`create policy ${short}_select on ${t} for select using (amount >= 0);`);
  out.push(`alter table ${t} add column if not exists note text;`);
  out.push(`comment on table ${t} is 'Generated table number ${i} for the benchmark';`);
  out.push(
    `create or replace function app.${short}_label(r ${t}) returns text\n  language sql stable\n  as $$ select r.name || ' (' || r.amount || ')' $$;`,
  );
  out.push(`insert into ${t} (name, amount) values ('first', 1.50), ('second', 2.25) on conflict do nothing;`);
  out.push(`update ${t} set amount = amount * 1.1 where created_at < now() - interval '1 day';`);
  out.push(`grant select on ${t} to public;`);
  // Every thirteenth entity has a statement that is not idempotent.
  if (i % 13 === 0) out.push(`alter table ${t} add column extra_${i} integer;`);
  return out;
}

export function generate(statements) {
  const out = ['create schema if not exists app;'];
  for (let i = 0; out.length < statements; i++) out.push(...entity(i));
  return out.slice(0, statements).join('\n') + '\n';
}

// ---- Statement mixes --------------------------------------------------------------------------------------------
// Each one the everyday text of a kind of migration, deterministic, about `bytes` long: `npm run bench` lints each and
// compares with the peers, since the cost per byte depends on what the bytes are (issue 14).

/** PL/pgSQL-heavy: functions with real bodies (declarations, IF, loops, exception handlers, RETURN QUERY), trigger
 * functions and their triggers, DO blocks that create types and roles only when missing. */
function plpgsql(i) {
  const n = NAMES[i % NAMES.length];
  const t = `app.${n}_${i}`;
  return [
    `create table if not exists ${t} (id bigint generated always as identity primary key, owner_id uuid not null, status text not null default 'new', total numeric(12, 2) not null default 0, updated_at timestamptz not null default now());`,
    `alter table ${t} enable row level security;`,
    `create or replace function app.${n}_${i}_touch() returns trigger
  language plpgsql
  as $$
begin
  new.updated_at := now();
  if tg_op = 'UPDATE' and new.status is distinct from old.status then
    insert into app.audit_log (table_name, row_id, old_status, new_status, changed_at)
      values (tg_table_name, new.id, old.status, new.status, now());
  end if;
  return new;
end;
$$;`,
    `drop trigger if exists ${n}_${i}_touch on ${t};`,
    `create trigger ${n}_${i}_touch before insert or update on ${t} for each row execute function app.${n}_${i}_touch();`,
    `create or replace function app.${n}_${i}_settle(p_owner uuid, p_limit integer default 100)
  returns table (id bigint, total numeric)
  language plpgsql
  security definer
  set search_path = app, pg_temp
  as $fn$
declare
  v_row record;
  v_count integer := 0;
  v_sum numeric(14, 2) := 0;
begin
  if p_limit <= 0 then
    raise exception 'limit must be positive, got %', p_limit using errcode = '22023';
  end if;
  for v_row in select x.id, x.total from ${t} x where x.owner_id = p_owner and x.status = 'new' order by x.id limit p_limit loop
    begin
      update ${t} set status = 'settled' where ${t}.id = v_row.id;
      v_count := v_count + 1;
      v_sum := v_sum + v_row.total;
    exception when serialization_failure then
      raise notice 'row % skipped: %', v_row.id, sqlerrm;
    end;
  end loop;
  perform pg_notify('settled', json_build_object('owner', p_owner, 'count', v_count, 'sum', v_sum)::text);
  return query select x.id, x.total from ${t} x where x.owner_id = p_owner and x.status = 'settled';
end;
$fn$;`,
    `do $$
begin
  if not exists (select 1 from pg_type t join pg_namespace s on s.oid = t.typnamespace where s.nspname = 'app' and t.typname = '${n}_${i}_state') then
    create type app.${n}_${i}_state as enum ('new', 'settled', 'void');
  end if;
  if not exists (select from pg_roles where rolname = '${n}_${i}_reader') then
    create role ${n}_${i}_reader nologin;
  end if;
exception when duplicate_object then
  null;
end
$$;`,
  ];
}

/** Policy- and grant-heavy: row level security with policies per command, grants and revokes per role, default
 * privileges. */
function policies(i) {
  const n = NAMES[i % NAMES.length];
  const t = `app.${n}_${i}`;
  const claim = `nullif(current_setting('jwt.claims.user_id', true), '')::uuid`;
  return [
    `create table if not exists ${t} (id bigint generated always as identity primary key, owner_id uuid not null, org_id uuid not null, visibility text not null default 'private');`,
    `alter table ${t} enable row level security;`,
    `alter table ${t} force row level security;`,
    `drop policy if exists ${n}_${i}_select on ${t};`,
    `create policy ${n}_${i}_select on ${t} for select to app_user using (owner_id = ${claim} or visibility = 'public' or exists (select 1 from app.membership m where m.org_id = ${t}.org_id and m.user_id = ${claim}));`,
    `drop policy if exists ${n}_${i}_insert on ${t};`,
    `create policy ${n}_${i}_insert on ${t} for insert to app_user with check (owner_id = ${claim});`,
    `drop policy if exists ${n}_${i}_update on ${t};`,
    `create policy ${n}_${i}_update on ${t} for update to app_user using (owner_id = ${claim}) with check (owner_id = ${claim});`,
    `drop policy if exists ${n}_${i}_delete on ${t};`,
    `create policy ${n}_${i}_delete on ${t} as restrictive for delete to app_user using (owner_id = ${claim} and visibility <> 'locked');`,
    `revoke all on ${t} from public;`,
    `grant select, insert, update, delete on ${t} to app_user;`,
    `grant select on ${t} to app_readonly;`,
    `grant usage, select on sequence app.${n}_${i}_id_seq to app_user;`,
    `grant update (visibility) on ${t} to app_moderator;`,
    `alter default privileges in schema app grant select on tables to app_readonly;`,
  ];
}

/** Data-heavy: multi-row INSERT ... VALUES, UPDATE ... FROM, INSERT ... SELECT, DELETE. */
function data(i) {
  const n = NAMES[i % NAMES.length];
  const t = `app.${n}_${i % 50}`;
  const rows = [];
  for (let r = 0; r < 40; r++) {
    const k = i * 40 + r;
    rows.push(`  (${k}, 'customer ${k}', 'user${k}@example.com', ${(k * 37) % 10000}.${String(k % 100).padStart(2, '0')}, '2024-0${1 + (k % 9)}-1${k % 10} 12:00:00+00', ${k % 3 === 0 ? 'true' : 'false'}, '{"tier": "${['gold', 'silver', 'bronze'][k % 3]}", "tags": ["a${k % 7}", "b${k % 5}"]}')`);
  }
  const out = [];
  if (i < 50) out.push(`create table if not exists ${t} (id bigint primary key, name text not null, email text not null, balance numeric(12, 2) not null default 0, joined_at timestamptz not null, active boolean not null default true, meta jsonb not null default '{}');`);
  out.push(`insert into ${t} (id, name, email, balance, joined_at, active, meta) values\n${rows.join(',\n')}\non conflict (id) do update set name = excluded.name, balance = excluded.balance;`);
  out.push(`update ${t} set balance = balance * 1.05, meta = jsonb_set(meta, '{bonus}', 'true') where active and joined_at < '2024-06-01' and id between ${i * 40} and ${i * 40 + 39};`);
  out.push(`update ${t} as c set active = false from app.${n}_${(i + 1) % 50} as o where o.id = c.id and o.balance < 0;`);
  out.push(`insert into app.${n}_summary (day, customers, balance) select date_trunc('day', joined_at), count(*), sum(balance) from ${t} group by 1 on conflict (day) do nothing;`);
  out.push(`delete from ${t} where not active and joined_at < now() - interval '2 years';`);
  return out;
}

/** Long comments: each table documented in a block comment and line comments, and COMMENT ON with long text. */
function commented(i) {
  const n = NAMES[i % NAMES.length];
  const t = `app.${n}_${i}`;
  const prose = `The ${n} records of tenant ${i}: one row per business event, written by the API and read by reporting. Rows are never deleted, only marked void; the retention job archives them after seven years as the auditors require.`;
  return [
    `/*\n * ${t}\n *\n * ${prose}\n *\n * History:\n *   - ${2019 + (i % 6)}: created for the ${n} service (ticket OPS-${1000 + i}).\n *   - ${2020 + (i % 5)}: amount became numeric(12, 2); floats lost cents in reconciliation.\n *   - ${2021 + (i % 4)}: row level security, see the policies below.\n */\ncreate table if not exists ${t} (\n  id bigint generated always as identity primary key, -- surrogate key; the business key is (tenant, reference)\n  reference text not null, -- as printed on the customer's documents\n  amount numeric(12, 2) not null default 0, -- in the tenant's currency, never negative\n  created_at timestamptz not null default now() -- when the API accepted it, not when it happened\n);`,
    `-- ${prose}\n-- Reporting reads by reference; the API writes by id.\ncreate index if not exists ${n}_${i}_reference_idx on ${t} (reference);`,
    `comment on table ${t} is '${prose}';`,
    `comment on column ${t}.amount is 'In the tenant''s currency, two decimals; corrections are new rows with a negative amount, never updates.';`,
    `-- Row level security: every tenant sees only its own rows (see docs/security.md, section "tenancy").\nalter table ${t} enable row level security;`,
  ];
}

export const MIXES = {
  /** The original mix: DDL with foreign keys, indexes, policies, small functions and a little data. */
  ddl: (i) => entity(i),
  plpgsql,
  policies,
  data,
  comments: commented,
};

/** A file of the named mix, about `bytes` long (whole statements). */
export function generateMix(mix, bytes) {
  const make = MIXES[mix];
  if (!make) throw new Error(`no statement mix '${mix}' (${Object.keys(MIXES).join(', ')})`);
  const out = ['create schema if not exists app;'];
  let size = out[0].length + 1;
  for (let i = 0; size < bytes; i++) {
    for (const s of make(i)) {
      out.push(s);
      size += s.length + 1;
    }
  }
  return out.join('\n') + '\n';
}
