// Deleting or updating a referenced row makes PostgreSQL look up the referencing rows by the key's columns; without
// an index whose leading columns are the key, each such lookup scans the whole referencing table (and holds locks
// while it does).
import { fixAfterStatement, type Rule } from '../rule';
import { displayName, type ForeignKeyModel, type IndexModel, type SchemaModel } from '../schema/model';
import { isChecked, tableHead } from './tableFilter';

/** The key's columns are the leading columns, in any order, of a plain (not partial, not expression) index. */
export function covers(index: IndexModel, fk: ForeignKeyModel): boolean {
  const n = fk.columns.length;
  if (index.partial || n === 0 || index.columns.length < n) return false;
  // The same sets: every leading column is a key column and every key column is a leading one (no allocation: this
  // runs for every key and index of the schema on every analysis).
  for (let i = 0; i < n; i++) {
    const c = index.columns[i];
    if (c === null || !fk.columns.includes(c)) return false;
  }
  for (let i = 0; i < n; i++) {
    let found = false;
    for (let j = 0; j < n && !found; j++) found = index.columns[j] === fk.columns[i];
    if (!found) return false;
  }
  return true;
}

/** At most `bytes` UTF-8 bytes of `name` (PostgreSQL truncates identifiers to 63 bytes), whole characters only. */
function truncateName(name: string, bytes = 63): string {
  let out = '';
  let used = 0;
  for (const ch of name) {
    used += Buffer.byteLength(ch, 'utf8');
    if (used > bytes) break;
    out += ch;
  }
  return out;
}

/** An index name no index or table of the schema has yet: with a taken name CREATE INDEX IF NOT EXISTS would do
 * nothing. Numbered like PostgreSQL numbers the names it picks (`_idx1`, `_idx2`, ...). */
function freeIndexName(model: SchemaModel, schema: string, base: string): string {
  const taken = (n: string) => model.indexOwner.has(`${schema}.${n}`) || model.tables.has(`${schema}.${n}`);
  let name = truncateName(base);
  for (let i = 1; taken(name); i++) name = truncateName(base, 63 - String(i).length) + i;
  return name;
}

const ident = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

export const unindexedForeignKey: Rule = {
  id: 'unindexed-foreign-key',
  defaultSeverity: 'warning',
  summary: 'A foreign key whose columns are not the leading columns of an index on the referencing table.',
  check(ctx) {
    const out = [];
    for (const t of ctx.model.tables.values()) {
      if (!isChecked(t, ctx.config)) continue;
      for (const fk of t.foreignKeys) {
        if (t.indexes.some((i) => covers(i, fk))) continue;
        const name = displayName(t);
        const cols = fk.columns.map(ident).join(', ');
        // Right after the key's statement, the table and columns have the names they had there (later renames carry
        // the index along); at the end of current.sql (fixes for committed files) they have their final names.
        const asWritten = fk.role !== 'committed';
        const table = asWritten ? fk.writtenAs.table : t;
        const columns = asWritten ? fk.writtenAs.columns : fk.columns;
        const indexName = freeIndexName(ctx.model, table.schema, [table.name, ...columns, 'idx'].join('_'));
        const sql = `CREATE INDEX IF NOT EXISTS ${ident(indexName)} ON ${displayName(table)} (${columns.map(ident).join(', ')});`;
        const fix = fixAfterStatement(ctx, `Create an index on ${name} (${cols})`, sql, fk.statement, fk.role);
        out.push({
          location: fk.location,
          message: `foreign key ${name} (${cols}) -> ${displayName(fk.references)} has no index on ${name} starting with (${cols}): deletes and updates of referenced rows scan ${name}`,
          fixes: fix ? [fix] : [],
          related: [{ ...tableHead(t), message: `${name} is created here` }],
        });
      }
    }
    return out;
  },
};
