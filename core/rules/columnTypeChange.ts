// Review point: ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock unless the
// change is binary-coercible, and fails or truncates when existing values do not convert. The changes PostgreSQL
// makes without a rewrite or a check of the values (a longer varchar, varchar to text, more numeric precision at
// the same scale, varbit longer, cidr to inet) are not reported.
import type { Rule, RuleContext, Violation } from '../rule';
import { typeNameText } from '../schema/replay';
import { locate } from '../script';
import type { Statement } from '../sql/parser';
import { reviewedStatements, tableKeyOf, tableText } from './reviewScope';

const str = (n: any): string => n?.String?.sval ?? '';

interface ColumnType {
  name: string;
  /** Integer modifiers (length, precision and scale); empty when none. */
  mods: number[];
  array: boolean;
}

function columnType(t: any): ColumnType {
  const name = str((t?.names ?? []).at(-1)).toLowerCase();
  const mods = (t?.typmods ?? []).map((m: any) => m?.A_Const?.ival?.ival ?? 0);
  return { name: name === 'bpchar' ? 'char' : name, mods, array: !!t?.arrayBounds };
}

/** PostgreSQL changes `from` into `to` without rewriting the table or checking a value (binary-coercible, no
 * narrower modifier): ATColumnChangeRequiresRewrite finds nothing to do. */
export function changesWithoutRewrite(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  const wider = (a: number | undefined, b: number | undefined) => b === undefined || (a !== undefined && b >= a);
  if (from.name === to.name) {
    if (from.name === 'numeric') {
      // numeric(p, s) -> numeric(p2, s) with p2 >= p, or unconstrained numeric.
      if (!to.mods.length) return true;
      if (!from.mods.length) return false;
      return to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0);
    }
    if (from.name === 'varchar' || from.name === 'varbit') return wider(from.mods[0], to.mods[0]);
    return from.mods.length === to.mods.length && from.mods.every((m, i) => m === to.mods[i]);
  }
  if (from.name === 'varchar' && to.name === 'text') return true;
  if (from.name === 'text' && to.name === 'varchar' && !to.mods.length) return true;
  if (from.name === 'cidr' && to.name === 'inet') return true;
  return false;
}

/** The type each column had just before each ALTER COLUMN ... TYPE of the migrations (walked on first use). */
const histories = new WeakMap<RuleContext, Map<Statement, Map<string, ColumnType>>>();
function typesBefore(ctx: RuleContext, statement: Statement): Map<string, ColumnType> | undefined {
  let byStatement = histories.get(ctx);
  if (!byStatement) {
    byStatement = new Map();
    const types = new Map<string, ColumnType>();
    for (const script of ctx.scripts) {
      if (script.role !== 'committed' && script.role !== 'current') continue;
      for (const s of script.parsed.statements) {
        if (s.parent) continue;
        const n = s.node;
        if (s.type === 'CreateStmt') {
          const t = tableKeyOf(n.relation);
          for (const e of n.tableElts ?? []) if (e.ColumnDef?.typeName) types.set(`${t}.${e.ColumnDef.colname}`, columnType(e.ColumnDef.typeName));
        } else if (s.type === 'AlterTableStmt' && n.objtype === 'OBJECT_TABLE') {
          const t = tableKeyOf(n.relation);
          const cmds = (n.cmds ?? []).map((c: any) => c.AlterTableCmd);
          if (cmds.some((c: any) => c?.subtype === 'AT_AlterColumnType')) {
            byStatement.set(s, new Map([...types].filter(([k]) => k.startsWith(t + '.'))));
          }
          for (const c of cmds) {
            const def = c?.def?.ColumnDef;
            if ((c?.subtype === 'AT_AddColumn' || c?.subtype === 'AT_AlterColumnType') && def?.typeName) types.set(`${t}.${def.colname ?? c.name}`, columnType(def.typeName));
          }
        } else if (s.type === 'RenameStmt' && n.renameType === 'OBJECT_COLUMN' && n.relation) {
          const t = tableKeyOf(n.relation);
          const old = types.get(`${t}.${n.subname}`);
          if (old) types.set(`${t}.${n.newname}`, old);
        } else if (s.type === 'RenameStmt' && n.renameType === 'OBJECT_TABLE' && n.relation) {
          const from = tableKeyOf(n.relation) + '.';
          const to = `${n.relation.schemaname || 'public'}.${n.newname}.`;
          for (const [k, v] of [...types]) if (k.startsWith(from)) types.set(to + k.slice(from.length), v);
        }
      }
    }
    histories.set(ctx, byStatement);
  }
  return byStatement.get(statement);
}

export const columnTypeChange: Rule = {
  id: 'column-type-change',
  defaultSeverity: 'warning',
  summary: "A migration changes a column's type: existing values must convert, and the table may be rewritten under an exclusive lock.",
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of reviewedStatements(ctx)) {
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE' || isNew(tableKeyOf(s.node.relation))) continue;
      for (const c of s.node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype !== 'AT_AlterColumnType') continue;
        const def = cmd.def?.ColumnDef;
        const old = typesBefore(ctx, s)?.get(`${tableKeyOf(s.node.relation)}.${cmd.name}`);
        // Without USING and with a known old type, a binary-coercible widening is only a catalog change.
        if (!def?.raw_default && def?.typeName && old && changesWithoutRewrite(old, columnType(def.typeName))) continue;
        const type = def?.typeName ? typeNameText(def.typeName) : 'another type';
        const using = def?.raw_default ? '' : ' (no USING clause: PostgreSQL must cast the values implicitly)';
        out.push({
          location: locate(script, s.start, s.end),
          message: `changes the type of ${tableText(s.node.relation)}.${cmd.name} to ${type}${using}: existing values must convert, and the table may be rewritten under an exclusive lock; check the data first`,
        });
      }
    }
    return out;
  },
};
