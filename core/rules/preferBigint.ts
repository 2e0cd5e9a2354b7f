// An integer key runs out at 2,147,483,647 rows (smallint at 32,767), and moving a busy table to bigint later is a
// rewrite under an exclusive lock. bigint costs four bytes more per row.
import { typeRule } from './preferTypes';

export const preferBigint = typeRule({
  id: 'prefer-bigint',
  summary: 'A new primary key column of type integer or smallint: use bigint.',
  message: (c) => (c.key && (c.type === 'int4' || c.type === 'int2') ? `primary key column ${c.def.colname} is ${c.type === 'int4' ? 'integer' : 'smallint'}: it runs out at ${c.type === 'int4' ? '2,147,483,647' : '32,767'}, and changing it later rewrites the table; use bigint` : undefined),
  written: /(?:integer|int[24]?|smallint)\b/,
  replacement: () => 'BIGINT',
  safe: true,
});
