// A table without row level security is readable by every role that has been granted access to it: in a
// PostgREST/PostGraphile style API that is usually everyone.
import { fixAfterStatement, type Rule } from '../rule';
import { displayName } from '../schema/model';
import { isChecked, tableHead } from './tableFilter';

export const missingRls: Rule = {
  id: 'missing-rls',
  defaultSeverity: 'error',
  summary: 'A table that exists at the end of the migrations without ENABLE ROW LEVEL SECURITY.',
  check(ctx) {
    const out = [];
    for (const t of ctx.model.tables.values()) {
      if (t.rls || !isChecked(t, ctx.config)) continue;
      const name = displayName(t);
      // Right after the CREATE TABLE the table has the name it was created with; at the end of current.sql (the
      // place for fixes to committed files) it has its final name.
      const fixName = t.createdRole === 'committed' ? name : displayName(t.createdAs);
      const fix = fixAfterStatement(ctx, `Enable row level security on ${name}`, `ALTER TABLE ${fixName} ENABLE ROW LEVEL SECURITY;`, t.created, t.createdRole);
      out.push({
        location: tableHead(t),
        message: `table ${name} does not have row level security enabled (no ALTER TABLE ... ENABLE ROW LEVEL SECURITY in the migrations)`,
        fixes: fix ? [fix] : [],
      });
    }
    return out;
  },
};
