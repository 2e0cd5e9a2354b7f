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
