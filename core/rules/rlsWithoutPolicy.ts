// RLS on and no policy means every query by a non-owner role sees zero rows: usually a forgotten policy.
import type { Rule } from '../rule';
import { displayName } from '../schema/model';
import { isChecked, tableHead } from './tableFilter';

export const rlsWithoutPolicy: Rule = {
  id: 'rls-without-policy',
  defaultSeverity: 'warning',
  summary: 'Row level security is enabled but the table has no policy, so only its owner can read or write it.',
  check(ctx) {
    const out = [];
    for (const t of ctx.model.tables.values()) {
      if (!t.rls || t.policies.length > 0 || !isChecked(t, ctx.config)) continue;
      const name = displayName(t);
      out.push({
        location: t.rlsEnabledAt ?? tableHead(t),
        message: `row level security is enabled on ${name} but it has no policy: only the table owner can read or write it`,
        related: [{ ...tableHead(t), message: `${name} is created here` }],
      });
    }
    return out;
  },
};
