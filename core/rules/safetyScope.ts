// What the lock and transaction rules (non-concurrent-index, missing-lock-timeout, ...) know about a reviewed
// statement beyond reviewScope's table history: which transaction it runs in, and the tables that indexes and views
// of earlier migrations belong to. Transactions follow the runners: graphile-migrate and drizzle-kit wrap a
// migration in one (graphile: unless `--! no-transaction`); pgmig's numbered runner wraps a file that does not wrap
// itself; a file sent as one query with several statements (graphile's `--! no-transaction`, numbered files,
// golang-migrate) runs in PostgreSQL's implicit transaction block.
import { isNoTransaction } from '../engine/sourceText';
import type { RuleContext } from '../rule';
import type { Script } from '../script';
import type { Statement } from '../sql/parser';
import { reviewedStatements, tableKeyOf, type ReviewedStatement } from './reviewScope';

export interface SafetyStatement extends ReviewedStatement {
  /** Position among the script's top-level statements, and their number. */
  index: number;
  count: number;
  /** The runner wraps the whole migration in one transaction. */
  runnerTransaction: boolean;
  /** Inside BEGIN ... COMMIT written in the file. */
  explicitTransaction: boolean;
  /** The statement runs inside a transaction block of any kind (runner's, explicit, or implicit). */
  inTransaction: boolean;
  /** Statements with the same id run in the same transaction (within one script). */
  transaction: number;
}

const str = (n: any): string => n?.String?.sval ?? '';

export const isBegin = (s: Statement) => s.type === 'TransactionStmt' && (s.node.kind === 'TRANS_STMT_BEGIN' || s.node.kind === 'TRANS_STMT_START');
export const isTransactionEnd = (s: Statement) =>
  s.type === 'TransactionStmt' && ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED', 'TRANS_STMT_PREPARE'].includes(s.node.kind);

/** Statements PostgreSQL refuses inside any transaction block (REFRESH MATERIALIZED VIEW CONCURRENTLY is allowed). */
export function isConcurrently(s: Statement): boolean {
  const n = s.node;
  switch (s.type) {
    case 'IndexStmt':
    case 'DropStmt':
      return !!n.concurrent;
    case 'ReindexStmt':
      return (n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
    case 'AlterTableStmt':
      return (n.cmds ?? []).some((c: any) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent);
    default:
      return false;
  }
}

/** Other statements that cannot run in a transaction block (a runner leaves a file holding one unwrapped). */
const outsideTransactionOnly = (s: Statement) =>
  isConcurrently(s) || (s.type === 'VacuumStmt' && s.node.is_vacuumcmd) || ['CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt'].includes(s.type);

/** Whether the runner of the project wraps this script in a transaction. */
export function runnerWraps(ctx: RuleContext, script: Script, top: Statement[]): boolean {
  const layout = ctx.project?.layout;
  if (layout === 'drizzle') return true; // drizzle-kit migrate: every pending migration in one transaction
  if (layout === 'graphile') return !isNoTransaction(script.expansion.text);
  if (layout === 'numbered') {
    // pgmig's numbered runner (core/layouts/sqlRun.ts): a file that wraps itself or cannot be wrapped runs as written.
    if (isNoTransaction(script.expansion.text) || top.some(outsideTransactionOnly)) return false;
    return !(top.length >= 2 && isBegin(top[0]) && isTransactionEnd(top[top.length - 1]));
  }
  return false;
}

const walks = new WeakMap<RuleContext, SafetyStatement[]>();

/** reviewedStatements with their transactions. */
export function safetyStatements(ctx: RuleContext): SafetyStatement[] {
  let out = walks.get(ctx);
  if (out) return out;
  out = [];
  const reviewed = reviewedStatements(ctx);
  let i = 0;
  while (i < reviewed.length) {
    const script = reviewed[i].script;
    let j = i;
    while (j < reviewed.length && reviewed[j].script === script) j++;
    const top = reviewed.slice(i, j).map((r) => r.statement);
    const wraps = runnerWraps(ctx, script, top);
    let explicit = false;
    let transaction = 0;
    let previousImplicit = false;
    for (let k = i; k < j; k++) {
      const s = reviewed[k].statement;
      const begin = isBegin(s);
      if (begin && !explicit) {
        explicit = true;
        if (!wraps) transaction++;
      }
      const inExplicit = explicit;
      // Outside BEGIN ... COMMIT a file of several statements sent as one query runs in an implicit block; each
      // run of such statements is one transaction.
      const implicit = !wraps && !inExplicit && top.length > 1;
      if (!wraps && !inExplicit && !(implicit && previousImplicit)) transaction++;
      previousImplicit = implicit;
      const r = reviewed[k];
      // Fields named, not spread: V8 builds an object literal that starts with a spread on a slow path (per keystroke).
      out.push({
        script: r.script,
        statement: r.statement,
        isNew: r.isNew,
        hasTablesIn: r.hasTablesIn,
        index: k - i,
        count: top.length,
        runnerTransaction: wraps,
        explicitTransaction: inExplicit && !begin,
        inTransaction: wraps || (inExplicit && !begin) || implicit,
        transaction: wraps ? 0 : transaction,
      });
      if (isTransactionEnd(s)) {
        explicit = false;
        previousImplicit = false;
      }
    }
    i = j;
  }
  walks.set(ctx, out);
  return out;
}

/** Per index (schema.name), the table it was created on, with the statement sequence it happened at. */
export interface RelationHistory {
  /** The table of an index as the migrations before `statement` left it. */
  indexTable(name: string, statement: Statement): string | undefined;
  /** A view (schema.name) that an earlier script created and that still exists before `statement`. */
  viewExists(key: string, statement: Statement, script: Script): boolean;
}

const histories = new WeakMap<RuleContext, RelationHistory>();

/** Index and view history of every migration, walked on first use (only statements that need it ask). */
export function relationHistory(ctx: RuleContext): RelationHistory {
  let h = histories.get(ctx);
  if (h) return h;
  const order = new Map<Statement, number>();
  const indexes = new Map<string, { seq: number; table: string }[]>();
  const views = new Map<string, { seq: number; exists: boolean; script: Script }[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(v);
  };
  let seq = 0;
  for (const script of ctx.scripts) {
    if (script.role !== 'committed' && script.role !== 'current') continue;
    for (const s of script.parsed.statements) {
      if (s.parent) continue;
      order.set(s, ++seq);
      const n = s.node;
      if (s.type === 'IndexStmt' && n.idxname) {
        push(indexes, `${n.relation?.schemaname || 'public'}.${n.idxname}`, { seq, table: tableKeyOf(n.relation) });
      } else if (s.type === 'ViewStmt' && n.view) {
        push(views, tableKeyOf(n.view), { seq, exists: true, script });
      } else if (s.type === 'CreateTableAsStmt' && n.objtype === 'OBJECT_MATVIEW') {
        push(views, tableKeyOf(n.into?.rel), { seq, exists: true, script });
      } else if (s.type === 'DropStmt' && (n.removeType === 'OBJECT_VIEW' || n.removeType === 'OBJECT_MATVIEW')) {
        for (const o of n.objects ?? []) push(views, qualifiedName(o), { seq, exists: false, script });
      } else if (s.type === 'RenameStmt' && (n.renameType === 'OBJECT_VIEW' || n.renameType === 'OBJECT_MATVIEW') && n.relation) {
        push(views, tableKeyOf(n.relation), { seq, exists: false, script });
        push(views, `${n.relation.schemaname || 'public'}.${n.newname}`, { seq, exists: true, script });
      }
    }
  }
  const last = <T extends { seq: number }>(list: T[] | undefined, at: number): T | undefined => {
    if (list) for (let i = list.length - 1; i >= 0; i--) if (list[i].seq < at) return list[i];
    return undefined;
  };
  h = {
    indexTable: (name, statement) => last(indexes.get(name), order.get(statement) ?? Infinity)?.table,
    viewExists: (key, statement, script) => {
      const e = last(views.get(key), order.get(statement) ?? Infinity);
      return !!e && e.exists && e.script !== script;
    },
  };
  histories.set(ctx, h);
  return h;
}

/** `schema.name` of a qualified name list (DROP's objects), public when unqualified. */
export function qualifiedName(o: any): string {
  const parts: string[] = (o?.List?.items ?? [o]).map(str);
  return parts.length > 1 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : `public.${parts[0]}`;
}

/** The first keyword-insensitive match of `word` in text[from, to) as a whole word, or -1. */
export function findWord(text: string, word: string, from: number, to: number): number {
  const re = new RegExp(`\\b${word}\\b`, 'gi');
  re.lastIndex = from;
  const m = re.exec(text);
  return m && m.index < to ? m.index : -1;
}

export interface NewColumn {
  st: SafetyStatement;
  def: any;
  /** Part of the table's primary key (inline or table constraint). */
  key: boolean;
  /** The type's last name, lower case (`int4`, `varchar`, `serial`, ...). */
  type: string;
  /** Where the type is written in the script's text. */
  typeStart: number;
}

const columnWalks = new WeakMap<RuleContext, NewColumn[]>();

/** Columns that CREATE TABLE and ADD COLUMN of the reviewed migrations define (type hygiene rules). */
export function newColumns(ctx: RuleContext): NewColumn[] {
  let out = columnWalks.get(ctx);
  if (out) return out;
  out = [];
  for (const st of safetyStatements(ctx)) {
    const s = st.statement;
    let defs: any[] = [];
    const keys = new Set<string>();
    if (s.type === 'CreateStmt') {
      for (const e of s.node.tableElts ?? []) {
        if (e.ColumnDef) defs.push(e.ColumnDef);
        else if (e.Constraint?.contype === 'CONSTR_PRIMARY') for (const k of e.Constraint.keys ?? []) keys.add(str(k));
      }
    } else if (s.type === 'AlterTableStmt' && s.node.objtype === 'OBJECT_TABLE') {
      defs = (s.node.cmds ?? []).map((c: any) => (c.AlterTableCmd?.subtype === 'AT_AddColumn' ? c.AlterTableCmd.def?.ColumnDef : undefined)).filter(Boolean);
    } else continue;
    for (const def of defs) {
      if (!def.typeName) continue;
      const key = keys.has(def.colname) || (def.constraints ?? []).some((c: any) => c.Constraint?.contype === 'CONSTR_PRIMARY');
      out.push({ st, def, key, type: str((def.typeName.names ?? []).at(-1)).toLowerCase(), typeStart: s.at(def.typeName.location) });
    }
  }
  columnWalks.set(ctx, out);
  return out;
}

/** The range of the type written at `start` when it matches `pattern` (sticky), for a fix that replaces it. */
export function writtenType(text: string, start: number, pattern: RegExp): { start: number; end: number } | undefined {
  const re = new RegExp(pattern.source, 'iy');
  re.lastIndex = start;
  const m = re.exec(text);
  return m ? { start, end: start + m[0].length } : undefined;
}

/** The ALTER TABLE subcommands of reviewed statements on tables earlier migrations created, with their statement. */
export function existingTableCommands(ctx: RuleContext): { st: SafetyStatement; cmd: any }[] {
  const out: { st: SafetyStatement; cmd: any }[] = [];
  for (const st of safetyStatements(ctx)) {
    const s = st.statement;
    if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE' || st.isNew(tableKeyOf(s.node.relation))) continue;
    for (const c of s.node.cmds ?? []) if (c.AlterTableCmd) out.push({ st, cmd: c.AlterTableCmd });
  }
  return out;
}

/** The first value `found` returns for a node of a parse tree (depth first), or undefined. */
export function findInTree<T>(node: any, found: (n: any) => T | undefined): T | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const here = Array.isArray(node) ? undefined : found(node);
  if (here !== undefined) return here;
  for (const k in node) {
    const v = node[k];
    const f = v && typeof v === 'object' ? findInTree(v, found) : undefined;
    if (f !== undefined) return f;
  }
  return undefined;
}
