// Projects shared by the migration safety rules' cases (test/core/rules/*.mjs): a graphile-migrate history, and
// builders for Drizzle and numbered projects. "Existing" tables are those an earlier migration created.
const journal = (tags) => JSON.stringify({ version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) });

/** A Drizzle project: drizzle/NNNN_x.sql files (in journal order) and the journal. */
export const drizzle = (files) => ({ '.gmrc': null, 'drizzle/meta/_journal.json': journal(Object.keys(files).map((f) => f.replace(/\.sql$/, ''))), ...Object.fromEntries(Object.entries(files).map(([f, t]) => [`drizzle/${f}`, t])) });

/** A numbered project: migrations/NNN_x.sql files. */
export const numbered = (files) => ({ '.gmrc': null, ...Object.fromEntries(Object.entries(files).map(([f, t]) => [`migrations/${f}`, t])) });

/** graphile-migrate: a committed migration made `orders` (and its index) and `users`; current.sql is `current`. */
export const graphile = (current, extra = {}) => ({
  'migrations/committed/000001.sql': 'create table orders (id int primary key, user_id int, status text, note varchar(20), total numeric(10,2), net cidr);\ncreate index orders_user_idx on orders (user_id);\ncreate table users (id int primary key, name text);\ncreate view order_totals as select id, total from orders;\n',
  ...extra,
  'migrations/current.sql': current,
});

/** PL/pgSQL bodies with a syntax error: where syntax-error reports it (1-based), and PostgreSQL's message. */
export const PLPGSQL_CASES = [
  { sql: 'create or replace function f(a int) returns int language plpgsql as $$\nbegin\n  retrun a;\nend\n$$;', line: 3, column: 3, endColumn: 9, text: 'retrun', message: 'syntax error at or near "retrun"' },
  { sql: 'create or replace function f(a int) returns int language plpgsql as $$\nbegin\n  if a > 0 then\n    b := 1;\n  end if;\n  return a;\nend\n$$;', line: 4, column: 5, endColumn: 6, text: 'b', message: '"b" is not a known variable' },
  { sql: 'create or replace procedure p() as $body$\nbegin\n  if true then\n    commit;\nend;\n$body$ language plpgsql;', line: 5, column: 4, endColumn: 5, text: ';', message: 'syntax error at or near ";"' },
];
