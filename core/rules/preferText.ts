// varchar(n) is text with a length check that is costly to change later (a longer limit is cheap since PostgreSQL
// 9.2, but a shorter one scans the table, and every limit change takes ACCESS EXCLUSIVE). text with a CHECK
// constraint says the same and changes without a type change.
import { typeRule } from './preferTypes';

export const preferText = typeRule({
  id: 'prefer-text',
  summary: 'A new column of type varchar(n): use text (with a CHECK on its length if the limit matters).',
  message: (c) => (c.type === 'varchar' && c.def.typeName.typmods ? `column ${c.def.colname} is varchar(n): use text, with CHECK (length(${c.def.colname}) <= n) if the limit matters (a check is changed without a type change)` : undefined),
  written: /(?:character\s+varying|varchar)\s*\(\s*\d+\s*\)/,
  replacement: () => 'TEXT',
  // The length limit goes away with the fix.
  safe: false,
});
