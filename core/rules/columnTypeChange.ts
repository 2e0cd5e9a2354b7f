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

/** Each column's types over the migrations, as (statement sequence, type) events, and each statement's sequence
 * (walked on first use; a question looks back from its statement). */
interface TypeHistory {
  order: Map<Statement, number>;
  events: Map<string, { seq: number; type: ColumnType }[]>;
}
const histories = new WeakMap<RuleContext, TypeHistory>();
function typeBefore(ctx: RuleContext, statement: Statement, column: string): ColumnType | undefined {
  let h = histories.get(ctx);
  if (!h) {
    const order = new Map<Statement, number>();
    const events = new Map<string, { seq: number; type: ColumnType }[]>();
    const set = (key: string, seq: number, type: ColumnType) => {
      let list = events.get(key);
      if (!list) events.set(key, (list = []));
      list.push({ seq, type });
    };
    const latest = (key: string) => events.get(key)?.at(-1)?.type;
    let seq = 0;
    for (const script of ctx.scripts) {
      if (script.role !== 'committed' && script.role !== 'current') continue;
      for (const s of script.parsed.statements) {
        if (s.parent) continue;
        const n = s.node;
        seq++;
        if (s.type === 'CreateStmt') {
          const t = tableKeyOf(n.relation);
          for (const e of n.tableElts ?? []) if (e.ColumnDef?.typeName) set(`${t}.${e.ColumnDef.colname}`, seq, columnType(e.ColumnDef.typeName));
        } else if (s.type === 'AlterTableStmt' && n.objtype === 'OBJECT_TABLE') {
          const t = tableKeyOf(n.relation);
          order.set(s, seq);
          for (const c of n.cmds ?? []) {
            const cmd = c.AlterTableCmd;
            const def = cmd?.def?.ColumnDef;
            if ((cmd?.subtype === 'AT_AddColumn' || cmd?.subtype === 'AT_AlterColumnType') && def?.typeName) set(`${t}.${def.colname ?? cmd.name}`, seq, columnType(def.typeName));
          }
        } else if (s.type === 'RenameStmt' && n.renameType === 'OBJECT_COLUMN' && n.relation) {
          const t = tableKeyOf(n.relation);
          const old = latest(`${t}.${n.subname}`);
          if (old) set(`${t}.${n.newname}`, seq, old);
        } else if (s.type === 'RenameStmt' && n.renameType === 'OBJECT_TABLE' && n.relation) {
          const from = tableKeyOf(n.relation) + '.';
          const to = `${n.relation.schemaname || 'public'}.${n.newname}.`;
          for (const [k, list] of [...events]) if (k.startsWith(from)) set(to + k.slice(from.length), seq, list[list.length - 1].type);
        }
      }
    }
    histories.set(ctx, (h = { order, events }));
  }
  const at = h.order.get(statement);
  const list = h.events.get(column);
  if (at === undefined || !list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i].seq < at) return list[i].type;
  return undefined;
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
        const old = typeBefore(ctx, s, `${tableKeyOf(s.node.relation)}.${cmd.name}`);
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
