// A statement that needs a lock blocking reads or writes waits behind any long transaction that touches the table,
// and every query of the table queues behind it: one slow report query stalls the application. With lock_timeout
// set the migration gives up instead (and can be retried). Reported once per migration, at its first such statement.
import { lineBreakOf, type Rule, type Violation } from '../rule';
import { locate } from '../script';
import type { Statement } from '../sql/parser';
import { droppedTables, tableKeyOf } from './reviewScope';
import { qualifiedName, relationHistory, safetyStatements, type SafetyStatement } from './safetyScope';

/** Subcommands whose lock (SHARE UPDATE EXCLUSIVE) blocks neither reads nor writes. */
const MILD = new Set(['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_SetOptions', 'AT_ResetOptions', 'AT_ClusterOn', 'AT_DropCluster', 'AT_AttachPartition']);

/** The existing table a statement locks against reads or writes, if any. */
function lockedTable(ctx: Parameters<Rule['check']>[0], st: SafetyStatement): string | undefined {
  const s = st.statement;
  const n = s.node;
  const old = (key: string | undefined) => (key && !st.isNew(key) ? key : undefined);
  const referenced = (cons: any[] | undefined) => {
    for (const c of cons ?? []) if (c?.Constraint?.contype === 'CONSTR_FOREIGN' && c.Constraint.pktable) return old(tableKeyOf(c.Constraint.pktable));
    return undefined;
  };
  switch (s.type) {
    case 'AlterTableStmt': {
      if (n.objtype !== 'OBJECT_TABLE') return undefined;
      const cmds: any[] = (n.cmds ?? []).map((c: any) => c.AlterTableCmd);
      if (cmds.some((c) => c && !MILD.has(c.subtype))) {
        const t = old(tableKeyOf(n.relation));
        if (t) return t;
      }
      // A new foreign key locks the referenced table too (SHARE ROW EXCLUSIVE: writes wait).
      for (const c of cmds) {
        const t = referenced(c?.def?.Constraint ? [c.def] : c?.def?.ColumnDef?.constraints);
        if (t) return t;
      }
      return undefined;
    }
    case 'CreateStmt':
      for (const e of n.tableElts ?? []) {
        const t = e.Constraint ? referenced([e]) : referenced(e.ColumnDef?.constraints);
        if (t) return t;
      }
      return undefined;
    case 'IndexStmt':
      return n.concurrent ? undefined : old(tableKeyOf(n.relation));
    case 'DropStmt':
      if (n.removeType === 'OBJECT_TABLE') return droppedTables(s).find((t) => !st.isNew(t));
      if (n.removeType === 'OBJECT_INDEX' && !n.concurrent) {
        for (const o of n.objects ?? []) {
          const t = old(relationHistory(ctx).indexTable(qualifiedName(o), s));
          if (t) return t;
        }
      }
      return undefined;
    case 'RenameStmt':
      return (n.renameType === 'OBJECT_TABLE' || (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_TABLE')) && n.relation ? old(tableKeyOf(n.relation)) : undefined;
    case 'TruncateStmt':
      return (n.relations ?? []).map((r: any) => old(tableKeyOf(r.RangeVar))).find(Boolean);
    case 'CreateTrigStmt':
      return old(tableKeyOf(n.relation));
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return old(tableKeyOf(n.table));
    case 'ReindexStmt':
      if ((n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) return undefined;
      if (n.kind === 'REINDEX_OBJECT_TABLE') return old(tableKeyOf(n.relation));
      if (n.kind === 'REINDEX_OBJECT_INDEX') return old(relationHistory(ctx).indexTable(tableKeyOf(n.relation), s));
      return undefined;
    case 'LockStmt':
      return (n.relations ?? []).map((r: any) => old(tableKeyOf(r.RangeVar))).find(Boolean);
    default:
      return undefined;
  }
}

const setsLockTimeout = (s: Statement) =>
  s.type === 'VariableSetStmt' && s.node.name === 'lock_timeout' && s.node.kind === 'VAR_SET_VALUE' && !/^0(?:\D|$)/.test(String(s.node.args?.[0]?.A_Const?.sval?.sval ?? s.node.args?.[0]?.A_Const?.ival?.ival ?? 0));

export const missingLockTimeout: Rule = {
  id: 'missing-lock-timeout',
  defaultSeverity: 'warning',
  summary: 'A migration takes a lock that blocks reads or writes of a table earlier migrations created, with no SET lock_timeout before it.',
  check(ctx) {
    const out: Violation[] = [];
    if (ctx.config.runnerSetsLockTimeout) return out;
    let script: unknown;
    let done = false;
    for (const st of safetyStatements(ctx)) {
      if (st.script !== script) {
        script = st.script;
        done = false;
      }
      if (done) continue;
      const s = st.statement;
      if (setsLockTimeout(s)) {
        done = true;
        continue;
      }
      const table = lockedTable(ctx, st);
      if (!table) continue;
      done = true;
      // SET lock_timeout at the top of the file, after graphile's `--!` header lines.
      const file = st.script.file;
      const text = ctx.readFile(file) ?? st.script.expansion.text;
      let at = 0;
      while (text.startsWith('--!', at)) {
        const nl = text.indexOf('\n', at);
        if (nl < 0) break;
        at = nl + 1;
      }
      const nl = lineBreakOf(text);
      const breakpoint = ctx.project?.layout === 'drizzle' ? '--> statement-breakpoint' : '';
      out.push({
        location: locate(st.script, s.start, s.end),
        message: `takes a lock that blocks ${table.replace(/^public\./, '')} (created by an earlier migration) with no SET lock_timeout before it in this migration: if a long transaction holds the table, this statement waits and every query of the table queues behind it; start the migration with SET lock_timeout = '5s' (and retry on timeout)`,
        fixes: [{ title: "Insert SET lock_timeout = '5s' at the top of the migration", safe: true, edits: [{ file, start: at, end: at, newText: `SET lock_timeout = '5s';${breakpoint}${nl}${breakpoint ? '' : nl}` }] }],
      });
    }
    return out;
  },
};
