// PostgreSQL refuses to use an enum value added by ALTER TYPE ... ADD VALUE before the transaction that added it
// commits ("unsafe use of new value"; PostgreSQL 15 refuses it even for a type created in the same transaction): a
// migration that adds a value and then uses it (a default, an UPDATE, an INSERT) fails at deploy.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { findInTree, safetyStatements } from './safetyScope';

const str = (n: any): string => n?.String?.sval ?? '';
const typeKey = (names: any[] | undefined) => {
  const parts = (names ?? []).map(str);
  return parts.length > 1 ? parts.join('.') : `public.${parts[0]}`;
};

/** Whether a string constant `value` occurs in the tree. */
const usesValue = (node: any, value: string) => findInTree(node, (n) => (n.A_Const?.sval?.sval === value ? true : undefined)) === true;

export const enumValueUsedInSameTransaction: Rule = {
  id: 'enum-value-used-in-same-transaction',
  defaultSeverity: 'error',
  summary: 'ALTER TYPE ... ADD VALUE and a use of that value in the same transaction: PostgreSQL refuses it ("unsafe use of new value").',
  check(ctx) {
    const out: Violation[] = [];
    let script: unknown;
    let transaction = -1;
    // The values added in the current transaction (value -> type).
    let added = new Map<string, string>();
    for (const st of safetyStatements(ctx)) {
      const s = st.statement;
      if (st.script !== script || st.transaction !== transaction || !st.inTransaction) {
        script = st.script;
        transaction = st.transaction;
        added = new Map();
      }
      if (s.type === 'AlterEnumStmt' && s.node.newVal) {
        const type = typeKey(s.node.typeName);
        if (st.inTransaction) added.set(s.node.newVal, type);
        continue;
      }
      for (const [value, type] of added) {
        if (!usesValue(s.node, value)) continue;
        out.push({
          location: locate(st.script, s.start, s.end),
          message: `uses '${value}', which ALTER TYPE ${type.replace(/^public\./, '')} ADD VALUE added in the same transaction: PostgreSQL refuses it ("unsafe use of new value") until that transaction commits; use the value in a later migration`,
        });
        break;
      }
    }
    return out;
  },
};
