// The review rules (drop-loses-data, column-type-change, not-null-without-default) look at the migrations a team
// checks by hand before applying them: every migration of a numbered or Drizzle project, and current.sql (with the
// files of current/) in a graphile-migrate project, whose committed files already ran. Only tables that earlier
// migrations created can hold data: statements on a table the reviewed script creates itself, or that no migration
// created, are not reported (so neither is current.sql's `DROP TABLE IF EXISTS x; CREATE TABLE x` reset idiom).
import type { Statement } from '../sql/parser';
import type { RuleContext } from '../rule';
import type { Script } from '../script';

const str = (n: any): string => n?.String?.sval ?? '';
export const tableKeyOf = (rv: any): string => `${rv?.schemaname || 'public'}.${rv?.relname ?? ''}`;
export const tableText = (rv: any): string => (rv?.schemaname ? `${rv.schemaname}.${rv.relname}` : String(rv?.relname ?? ''));

/** The table keys a DROP TABLE statement names. */
export function droppedTables(s: Statement): string[] {
  if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_TABLE') return [];
  return (s.node.objects ?? []).map((o: any) => {
    const parts: string[] = (o.List?.items ?? [o]).map(str);
    return parts.length > 1 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : `public.${parts[0]}`;
  });
}

export interface ReviewedStatement {
  script: Script;
  statement: Statement;
  /** Whether the table (schema.name) holds no data of earlier migrations at this statement: no earlier migration
   * created it (or it was dropped since), or this script created it again before this statement. */
  isNew(table: string): boolean;
  /** Whether earlier migrations left tables in the schema. */
  hasTablesIn(schema: string): boolean;
}

export function isReviewed(ctx: RuleContext, script: Script): boolean {
  const layout = ctx.project?.layout;
  if (layout === 'numbered' || layout === 'drizzle') return script.role === 'committed';
  return layout === 'graphile' && script.role === 'current';
}

/** The three review rules ask for the same walk in one analysis: it is made once per rule context. */
const walks = new WeakMap<RuleContext, ReviewedStatement[]>();

/** A table's state from statement `seq` on: whether it exists, and which script created what it holds. */
interface TableEvent {
  seq: number;
  exists: boolean;
  /** Index of the script whose CREATE made the table (carried along by renames). */
  origin: number;
}

/** The table events of a run of unreviewed scripts at the start of `ctx.scripts` (a graphile-migrate project's
 * committed history), keyed by its last script: an edit of current.sql does not walk the history again. */
interface HistoryEvents {
  scripts: Script[];
  events: ReadonlyMap<string, readonly TableEvent[]>;
  seq: number;
}
const histories = new WeakMap<Script, HistoryEvents>();

/** Every top-level statement of the reviewed scripts, with what the history says about the tables it touches. */
export function reviewedStatements(ctx: RuleContext): ReviewedStatement[] {
  let out = walks.get(ctx);
  if (out) return out;
  out = [];
  // The leading scripts that are not reviewed: their events are the same whenever the same scripts lead.
  let historyLength = 0;
  while (historyLength < ctx.scripts.length && (ctx.scripts[historyLength].role === 'committed' || ctx.scripts[historyLength].role === 'current') && !isReviewed(ctx, ctx.scripts[historyLength])) historyLength++;
  const cached = historyLength > 0 ? histories.get(ctx.scripts[historyLength - 1]) : undefined;
  const history = cached && cached.scripts.length === historyLength && cached.scripts.every((x, i) => x === ctx.scripts[i]) ? cached : undefined;
  // Per table, its creates, drops and renames in order: a question about a table looks back from a statement.
  // Events after the cached history go into `events`; `base` is the history's, never changed.
  const base: ReadonlyMap<string, readonly TableEvent[]> = history?.events ?? new Map();
  const events = new Map<string, TableEvent[]>();
  const record = (table: string, e: TableEvent) => {
    let list = events.get(table);
    if (!list) events.set(table, (list = []));
    list.push(e);
  };
  const stateAt = (table: string, seq: number): TableEvent | undefined => {
    const list = events.get(table);
    if (list) for (let i = list.length - 1; i >= 0; i--) if (list[i].seq < seq) return list[i];
    const old = base.get(table);
    if (old) for (let i = old.length - 1; i >= 0; i--) if (old[i].seq < seq) return old[i];
    return undefined;
  };
  const tableKeys = () => (base.size === 0 ? [...events.keys()] : [...base.keys(), ...[...events.keys()].filter((k) => !base.has(k))]);
  let seq = history?.seq ?? 0;
  ctx.scripts.forEach((script, scriptIndex) => {
    if (history && scriptIndex < historyLength) return;
    if (!history && historyLength > 0 && scriptIndex === historyLength) {
      histories.set(ctx.scripts[historyLength - 1], { scripts: ctx.scripts.slice(0, historyLength), events: new Map([...events].map(([k, v]) => [k, [...v]])), seq });
    }
    if (script.role === 'fixture' || script.role === 'standalone') return;
    const reviewed = isReviewed(ctx, script);
    for (const statement of script.parsed.statements) {
      if (statement.parent) continue;
      const at = ++seq;
      if (reviewed) {
        // Data of earlier migrations: the table exists here, made by an earlier script.
        const hasData = (table: string) => {
          const e = stateAt(table, at);
          return !!e && e.exists && e.origin !== scriptIndex;
        };
        out.push({
          script,
          statement,
          isNew: (table) => !hasData(table),
          hasTablesIn: (schema) => tableKeys().some((t) => t.startsWith(schema + '.') && hasData(t)),
        });
      }
      const n = statement.node;
      if (statement.type === 'CreateStmt' || statement.type === 'CreateTableAsStmt') {
        const t = tableKeyOf(n.relation ?? n.into?.rel);
        // CREATE TABLE IF NOT EXISTS of a table that exists changes nothing.
        if (!(n.if_not_exists && stateAt(t, at + 0.5)?.exists)) record(t, { seq: at, exists: true, origin: scriptIndex });
      } else if (statement.type === 'DropStmt') {
        for (const t of droppedTables(statement)) record(t, { seq: at, exists: false, origin: scriptIndex });
      } else if (statement.type === 'RenameStmt' && n.renameType === 'OBJECT_TABLE' && n.relation && n.newname) {
        const from = tableKeyOf(n.relation);
        const to = `${n.relation.schemaname || 'public'}.${n.newname}`;
        const before = stateAt(from, at + 0.5);
        record(from, { seq: at, exists: false, origin: scriptIndex });
        if (before?.exists) record(to, { seq: at, exists: true, origin: before.origin });
      }
    }
  });
  walks.set(ctx, out);
  return out;
}
