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
