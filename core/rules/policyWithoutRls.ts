// A policy does nothing until row level security is enabled on its table: the table is wide open while it looks
// protected.
import { fixAfterStatement, type Rule } from '../rule';
import { displayName } from '../schema/model';
import { isChecked, tableHead } from './tableFilter';

export const policyWithoutRls: Rule = {
  id: 'policy-without-rls',
  defaultSeverity: 'error',
  summary: 'A policy on a table whose row level security is off: the policy has no effect.',
  check(ctx) {
    const out = [];
    for (const t of ctx.model.tables.values()) {
      if (t.rls || t.policies.length === 0 || !isChecked(t, ctx.config)) continue;
      const name = displayName(t);
      for (const p of t.policies) {
        const fixName = p.role === 'committed' ? name : displayName(p.tableAs); // see missing-rls
        const fix = fixAfterStatement(ctx, `Enable row level security on ${name}`, `ALTER TABLE ${fixName} ENABLE ROW LEVEL SECURITY;`, p.created, p.role);
        out.push({
          location: p.created,
          message: `policy "${p.name}" has no effect: row level security is not enabled on ${name}`,
          fixes: fix ? [fix] : [],
          related: [{ ...tableHead(t), message: `${name} is created here` }],
        });
      }
    }
    return out;
  },
};
