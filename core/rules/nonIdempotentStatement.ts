// graphile-migrate runs current.sql (and the fixtures it includes) again on every save in watch mode, and again on
// every database at commit: each statement must succeed, and change nothing, when it has already run. Committed
// files run once and are exempt.
import type { Statement } from '../sql/parser';
import { lineBreakOf, type Rule, type Violation } from '../rule';
import { locate, type Script } from '../script';
import type { Fix } from '../types';

const str = (n: any): string => n?.String?.sval ?? '';
const ident = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
const qname = (parts: string[]) => parts.filter(Boolean).map(ident).join('.');
const rangeVar = (rv: any) => qname([rv?.schemaname, rv?.relname]);

/** Keys of objects dropped with IF EXISTS earlier in the run: re-creating them afterwards is idempotent. */
type Dropped = Set<string>;

interface Check {
  message: string;
  /** Objects whose earlier `DROP ... IF EXISTS` makes this statement safe to repeat. */
  guardKeys?: string[];
  fix?: (s: Statement, script: Script) => Fix | undefined;
}

/** Finds `re` (sticky, case-insensitive) at the start of the statement; returns where its match ends. */
function after(script: Script, s: Statement, re: RegExp): number | undefined {
  const sticky = new RegExp(re.source, 'iy');
  sticky.lastIndex = s.start;
  const m = sticky.exec(script.expansion.text);
  return m ? s.start + m[0].length : undefined;
}

/** Finds `re` anywhere in the statement; returns the offset where group 1 (or the match) ends. */
function search(script: Script, s: Statement, re: RegExp): number | undefined {
  const text = script.expansion.text.slice(s.start, s.end);
  const m = new RegExp(re.source, 'id').exec(text);
  if (!m) return undefined;
  // Group 1 need not start where the match does (e.g. an empty group after `drop column`): use its own indices.
  return s.start + (m.indices?.[1] ? m.indices[1][1] : m.index + m[0].length);
}

function insertFix(title: string, at: number | undefined, newText: string) {
  return (s: Statement, script: Script): Fix | undefined => {
    if (at === undefined) return undefined;
    const loc = locate(script, at, at);
    return { title, safe: true, edits: [{ file: loc.file, start: loc.start, end: loc.start, newText }] };
  };
}

const insertAt = (title: string, re: RegExp, newText: string, mode: 'after' | 'search' = 'after') => (s: Statement, script: Script) =>
  insertFix(title, mode === 'after' ? after(script, s, re) : search(script, s, re), newText)(s, script);

const beforeStatement = (title: string, sql: string) => (s: Statement, script: Script) =>
  insertFix(title, s.start, sql + lineBreakOf(script.expansion.text))(s, script);

/** Wraps the statement in a DO block that ignores "already exists". */
const wrapInDoBlock = (condition: string) => (s: Statement, script: Script): Fix | undefined => {
  if (s.parent) return undefined;
  const start = locate(script, s.start, s.start);
  const end = locate(script, s.end, s.end);
  if (start.file !== end.file) return undefined;
  const text = script.expansion.text;
  const hasSemicolon = text[s.end] === ';';
  const nl = lineBreakOf(text);
  // A statement that itself holds `$$` (a domain's CHECK with a dollar-quoted string) needs another tag.
  const tag = text.slice(s.start, s.end).includes('$$') ? '$pgmig$' : '$$';
  return {
    title: `Wrap in a DO block that ignores ${condition}`,
    safe: true,
    edits: [
      { file: start.file, start: start.start, end: start.start, newText: `DO ${tag} BEGIN${nl}  ` },
      { file: end.file, start: end.start, end: end.start + (hasSemicolon ? 1 : 0), newText: `;${nl}EXCEPTION WHEN ${condition} THEN NULL;${nl}END ${tag};` },
    ],
  };
};

/** Objects whose ALTER takes IF EXISTS, and how the statement names them (a regular expression). */
const RELATION_KINDS: Record<string, string | undefined> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized\\s+view',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_INDEX: 'index',
  OBJECT_FOREIGN_TABLE: 'foreign\\s+table',
};

// Unqualified names and public-qualified names are the same object.
const dropGuardKey = (kind: string, name: string) => `${kind}:${name.replace(/^public\./, '')}`;

function checkStatement(s: Statement, script: Script): Check | undefined {
  const n = s.node;
  switch (s.type) {
    case 'CreateStmt':
      if (n.if_not_exists) return;
      return {
        message: 'CREATE TABLE fails when the table already exists: add IF NOT EXISTS',
        guardKeys: [dropGuardKey('table', rangeVar(n.relation))],
        fix: insertAt('Add IF NOT EXISTS', /create\s+(?:(?:global|local)\s+)?(?:(?:temporary|temp|unlogged)\s+)?table\s+/, 'IF NOT EXISTS '),
      };
    case 'CreateTableAsStmt': {
      if (n.if_not_exists) return;
      const mat = n.objtype === 'OBJECT_MATVIEW';
      return {
        message: `CREATE ${mat ? 'MATERIALIZED VIEW' : 'TABLE AS'} fails when it already exists: add IF NOT EXISTS`,
        guardKeys: [dropGuardKey(mat ? 'matview' : 'table', rangeVar(n.into?.rel))],
        fix: insertAt('Add IF NOT EXISTS', mat ? /create\s+materialized\s+view\s+/ : /create\s+(?:(?:temporary|temp|unlogged)\s+)?table\s+/, 'IF NOT EXISTS '),
      };
    }
    case 'IndexStmt': {
      if (n.if_not_exists) return;
      const re = /create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?/;
      if (!n.idxname) {
        const cols = (n.indexParams ?? []).map((p: any) => p.IndexElem?.name ?? 'expr');
        const name = [n.relation?.relname, ...cols, 'idx'].join('_').slice(0, 63);
        return {
          message: 'CREATE INDEX without a name cannot use IF NOT EXISTS, so it creates a second index on every run: name the index and add IF NOT EXISTS',
          fix: insertAt(`Name the index ${name} and add IF NOT EXISTS`, re, `IF NOT EXISTS ${ident(name)} `),
        };
      }
      return {
        message: 'CREATE INDEX fails when the index already exists: add IF NOT EXISTS',
        guardKeys: [dropGuardKey('index', qname([n.relation?.schemaname, n.idxname]))],
        fix: insertAt('Add IF NOT EXISTS', re, 'IF NOT EXISTS '),
      };
    }
    case 'CreateSeqStmt':
      if (n.if_not_exists) return;
      return {
        message: 'CREATE SEQUENCE fails when the sequence already exists: add IF NOT EXISTS',
        guardKeys: [dropGuardKey('sequence', rangeVar(n.sequence))],
        fix: insertAt('Add IF NOT EXISTS', /create\s+(?:(?:temporary|temp|unlogged)\s+)?sequence\s+/, 'IF NOT EXISTS '),
      };
    case 'CreateSchemaStmt':
      if (n.if_not_exists) return;
      return {
        message: 'CREATE SCHEMA fails when the schema already exists: add IF NOT EXISTS',
        guardKeys: [dropGuardKey('schema', ident(n.schemaname ?? ''))],
        fix: insertAt('Add IF NOT EXISTS', /create\s+schema\s+/, 'IF NOT EXISTS '),
      };
    case 'CreateExtensionStmt':
      if (n.if_not_exists) return;
      return {
        message: 'CREATE EXTENSION fails when the extension already exists: add IF NOT EXISTS',
        guardKeys: [dropGuardKey('extension', ident(n.extname ?? ''))],
        fix: insertAt('Add IF NOT EXISTS', /create\s+extension\s+/, 'IF NOT EXISTS '),
      };
    case 'CreateForeignTableStmt':
    case 'CreateStatsStmt':
    case 'CreateForeignServerStmt':
      if (n.if_not_exists ?? n.base?.if_not_exists) return;
      return { message: 'this CREATE fails when the object already exists: add IF NOT EXISTS' };
    case 'CreateFunctionStmt':
      if (n.replace) return;
      return {
        message: `CREATE ${n.is_procedure ? 'PROCEDURE' : 'FUNCTION'} fails when it already exists: use CREATE OR REPLACE`,
        fix: insertAt('Use CREATE OR REPLACE', /create\s+/, 'OR REPLACE '),
      };
    case 'ViewStmt':
      if (n.replace) return;
      return {
        message: 'CREATE VIEW fails when the view already exists: use CREATE OR REPLACE',
        guardKeys: [dropGuardKey('view', rangeVar(n.view))],
        fix: insertAt('Use CREATE OR REPLACE', /create\s+/, 'OR REPLACE '),
      };
    case 'CreateTrigStmt': {
      if (n.replace) return;
      const table = rangeVar(n.relation);
      const key = dropGuardKey('trigger', `${table}:${ident(n.trigname)}`);
      if (n.isconstraint) {
        return {
          message: 'CREATE CONSTRAINT TRIGGER fails when the trigger already exists: drop it with IF EXISTS first',
          guardKeys: [key],
          fix: beforeStatement('Drop the trigger first (IF EXISTS)', `DROP TRIGGER IF EXISTS ${ident(n.trigname)} ON ${table};`),
        };
      }
      return {
        message: 'CREATE TRIGGER fails when the trigger already exists: use CREATE OR REPLACE TRIGGER',
        guardKeys: [key],
        fix: insertAt('Use CREATE OR REPLACE', /create\s+/, 'OR REPLACE '),
      };
    }
    case 'RuleStmt':
      if (n.replace) return;
      return {
        message: 'CREATE RULE fails when the rule already exists: use CREATE OR REPLACE',
        fix: insertAt('Use CREATE OR REPLACE', /create\s+/, 'OR REPLACE '),
      };
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateRangeStmt': {
      const name = qname(s.type === 'CompositeTypeStmt' ? [n.typevar?.schemaname, n.typevar?.relname] : (n.typeName ?? []).map(str));
      return {
        message: `CREATE TYPE ${name} fails when the type already exists (there is no IF NOT EXISTS): guard it with a DO block or an earlier DROP TYPE IF EXISTS`,
        guardKeys: [dropGuardKey('type', name)],
        fix: wrapInDoBlock('duplicate_object'),
      };
    }
    case 'DefineStmt': {
      const parts: string[] = (n.defnames ?? []).map(str);
      const name = n.kind === 'OBJECT_OPERATOR' ? parts.join('.') : qname(parts); // operators are symbols, never quoted
      if (n.kind === 'OBJECT_TYPE') {
        // Also a shell type (`CREATE TYPE name;`).
        return { message: `CREATE TYPE ${name} fails when the type already exists (there is no IF NOT EXISTS): guard it with a DO block or an earlier DROP TYPE IF EXISTS`, guardKeys: [dropGuardKey('type', name)], fix: wrapInDoBlock('duplicate_object') };
      }
      if (n.kind === 'OBJECT_AGGREGATE') {
        if (n.replace) return;
        return { message: 'CREATE AGGREGATE fails when it already exists: use CREATE OR REPLACE', fix: insertAt('Use CREATE OR REPLACE', /create\s+/, 'OR REPLACE ') };
      }
      if (n.kind === 'OBJECT_COLLATION') {
        if (n.if_not_exists) return;
        return { message: 'CREATE COLLATION fails when the collation already exists: add IF NOT EXISTS', fix: insertAt('Add IF NOT EXISTS', /create\s+collation\s+/, 'IF NOT EXISTS ') };
      }
      // Operators and text search objects have no IF NOT EXISTS.
      const what = String(n.kind ?? '').replace(/^OBJECT_/, '').replace(/^TS/, 'TEXT SEARCH ').toLowerCase();
      return { message: `CREATE ${what.toUpperCase()} ${name} fails when it already exists (there is no IF NOT EXISTS): guard it with a DO block`, fix: wrapInDoBlock('duplicate_object') };
    }
    case 'CreateDomainStmt': {
      const name = qname((n.domainname ?? []).map(str));
      return {
        message: `CREATE DOMAIN ${name} fails when the domain already exists (there is no IF NOT EXISTS): guard it with a DO block or an earlier DROP DOMAIN IF EXISTS`,
        guardKeys: [dropGuardKey('domain', name)],
        fix: wrapInDoBlock('duplicate_object'),
      };
    }
    case 'CreateRoleStmt':
      return {
        message: `CREATE ROLE ${n.role} fails when the role already exists (there is no IF NOT EXISTS): guard it with a DO block`,
        guardKeys: [dropGuardKey('role', ident(n.role ?? ''))],
        fix: wrapInDoBlock('duplicate_object'),
      };
    case 'CreatePolicyStmt': {
      const table = rangeVar(n.table);
      return {
        message: `CREATE POLICY "${n.policy_name}" fails when the policy already exists (there is no IF NOT EXISTS): drop it with IF EXISTS first`,
        guardKeys: [dropGuardKey('policy', `${table}:${ident(n.policy_name)}`)],
        fix: beforeStatement('Drop the policy first (IF EXISTS)', `DROP POLICY IF EXISTS ${ident(n.policy_name)} ON ${table};`),
      };
    }
    case 'CreatePublicationStmt':
    case 'CreateEventTrigStmt':
      return { message: 'this CREATE fails when the object already exists (there is no IF NOT EXISTS): guard it with a DO block', fix: wrapInDoBlock('duplicate_object') };
    case 'AlterEnumStmt':
      if (n.oldVal !== undefined) {
        return { message: 'ALTER TYPE ... RENAME VALUE fails when run again: the old value no longer exists' };
      }
      if (n.skipIfNewValExists) return;
      return {
        message: 'ALTER TYPE ... ADD VALUE fails when the value already exists: add IF NOT EXISTS',
        fix: insertAt('Add IF NOT EXISTS', /add\s+value\s+/, 'IF NOT EXISTS ', 'search'),
      };
    case 'DropStmt':
    case 'DropRoleStmt':
    case 'DropOwnedStmt':
      if (n.missing_ok || s.type === 'DropOwnedStmt') return;
      return {
        message: 'DROP fails when the object does not exist (second run): add IF EXISTS',
        fix: insertAt(
          'Add IF EXISTS',
          /drop\s+(?:materialized\s+view|foreign\s+(?:table|data\s+wrapper)|event\s+trigger|text\s+search\s+\w+|access\s+method|operator\s+(?:class|family)|procedural\s+language|index\s+concurrently|\w+)\s+/,
          'IF EXISTS ',
        ),
      };
    case 'RenameStmt': {
      // ALTER TABLE/VIEW/SEQUENCE/INDEX IF EXISTS old RENAME TO new skips the second time; a column or constraint
      // rename has no such form (IF EXISTS there is about the table).
      const relationRename = RELATION_KINDS[n.renameType];
      if (relationRename && n.missing_ok) return;
      return {
        message: 'RENAME fails when run again: the old name no longer exists' + (relationRename ? ': use ALTER ... IF EXISTS' : ' (guard it with a DO block, or rename in a committed migration)'),
        fix: relationRename ? insertAt('Add IF EXISTS', new RegExp(`alter\\s+${relationRename}\\s+`), 'IF EXISTS ') : undefined,
      };
    }
    case 'AlterObjectSchemaStmt': {
      const relationMove = RELATION_KINDS[n.objectType];
      if (relationMove && n.missing_ok) return;
      return {
        message: 'SET SCHEMA fails when run again: the object is no longer where it was' + (relationMove ? ': use ALTER ... IF EXISTS' : ' (guard it with a DO block, or move it in a committed migration)'),
        fix: relationMove ? insertAt('Add IF EXISTS', new RegExp(`alter\\s+${relationMove}\\s+`), 'IF EXISTS ') : undefined,
      };
    }
    case 'InsertStmt': {
      if (n.onConflictClause) return;
      if (hasNotExists(n.selectStmt)) return; // INSERT ... SELECT ... WHERE NOT EXISTS (...) guards itself
      // ON CONFLICT goes before RETURNING (libpg-query 18 has `returningClause`, older versions `returningList`).
      const returning: any[] = n.returningClause?.exprs ?? n.returningList ?? [];
      const firstReturned = returning[0]?.ResTarget?.location;
      return {
        message: 'INSERT without ON CONFLICT inserts the rows again (or fails on a unique key) when run twice',
        fix: (st, sc) => {
          let at = st.end;
          if (firstReturned !== undefined) {
            const head = sc.expansion.text.slice(st.start, st.at(firstReturned));
            const m = /\s+returning\s+$/i.exec(head);
            if (!m) return undefined;
            at = st.start + m.index;
          }
          return insertFix('Add ON CONFLICT DO NOTHING', at, ' ON CONFLICT DO NOTHING')(st, sc);
        },
      };
    }
    default:
      return;
  }
}

function hasNotExists(node: any): boolean {
  let found = false;
  const visit = (x: any): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (x.BoolExpr?.boolop === 'NOT_EXPR' && x.BoolExpr.args?.some((a: any) => a.SubLink?.subLinkType === 'EXISTS_SUBLINK')) {
      found = true;
      return;
    }
    for (const k in x) visit(x[k]);
  };
  visit(node);
  return found;
}

/** ALTER TABLE sub-commands that fail or duplicate on a second run. */
function checkAlterTable(s: Statement, script: Script, dropped: Dropped, out: Violation[]): void {
  const n = s.node;
  const table = rangeVar(n.relation);
  for (const wrapped of n.cmds ?? []) {
    const cmd = wrapped.AlterTableCmd;
    if (!cmd) continue;
    let check: Check | undefined;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        if (cmd.missing_ok) break;
        const def = cmd.def?.ColumnDef;
        const at = def?.location !== undefined ? s.at(def.location) : undefined;
        check = {
          message: `ALTER TABLE ... ADD COLUMN ${def?.colname ?? ''} fails when the column already exists: add IF NOT EXISTS`,
          fix: insertFix('Add IF NOT EXISTS', at, 'IF NOT EXISTS '),
        };
        break;
      }
      case 'AT_DropColumn':
        if (cmd.missing_ok) break;
        check = {
          message: `ALTER TABLE ... DROP COLUMN ${cmd.name} fails when the column is already gone: add IF EXISTS`,
          fix: insertAt('Add IF EXISTS', new RegExp(`\\bdrop\\s+(?:column\\s+)?()(?="?${escape(cmd.name)}"?\\b)`), 'IF EXISTS ', 'search'),
        };
        break;
      case 'AT_DropConstraint':
        if (cmd.missing_ok) break;
        check = {
          message: `ALTER TABLE ... DROP CONSTRAINT ${cmd.name} fails when the constraint is already gone: add IF EXISTS`,
          fix: insertAt('Add IF EXISTS', new RegExp(`\\bdrop\\s+constraint\\s+()(?="?${escape(cmd.name)}"?\\b)`), 'IF EXISTS ', 'search'),
        };
        break;
      case 'AT_AddConstraint': {
        const c = cmd.def?.Constraint;
        if (!c) break;
        if (!c.conname) {
          check = { message: 'ALTER TABLE ... ADD CONSTRAINT without a name adds a second constraint (or fails) on every run: name it and drop it with IF EXISTS first' };
          break;
        }
        check = {
          message: `ALTER TABLE ... ADD CONSTRAINT ${c.conname} fails when the constraint already exists (there is no IF NOT EXISTS): drop it with IF EXISTS first`,
          guardKeys: [dropGuardKey('constraint', `${table}:${ident(c.conname)}`)],
          fix: s.parent ? undefined : beforeStatement('Drop the constraint first (IF EXISTS)', `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${ident(c.conname)};`),
        };
        break;
      }
      default:
        break;
    }
    if (check) report(s, script, check, dropped, out);
    // Drops in this same statement guard later statements.
    if (cmd.subtype === 'AT_DropConstraint' && cmd.missing_ok) dropped.add(dropGuardKey('constraint', `${table}:${ident(cmd.name)}`));
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The table and schema the statement's object lives in: dropping either (IF EXISTS) earlier in the run drops the
 * object with it, so creating it again is safe. */
function containersOf(s: Statement): string[] {
  const n = s.node;
  const keys: string[] = [];
  const rel = n.relation ?? n.table; // indexes, triggers, rules, policies, ALTER TABLE, INSERT
  // A renamed table is not fresh: its new name may already exist from the last run.
  const renamesTable = s.type === 'RenameStmt' && n.renameType === 'OBJECT_TABLE';
  if (rel?.relname && !renamesTable) keys.push(dropGuardKey('table', rangeVar(rel)));
  const names = n.domainname ?? n.defnames ?? n.funcname ?? n.typeName;
  const schema: string | undefined =
    (rel ?? n.into?.rel ?? n.sequence ?? n.view ?? n.typevar)?.schemaname ??
    (Array.isArray(names) && names.length > 1 ? str(names[names.length - 2]) : undefined);
  if (schema) keys.push(dropGuardKey('schema', ident(schema)));
  return keys;
}

/** Whether a DO block's exception handler catches what a second run raises: "already exists" (duplicate_*,
 * unique_violation) or "does not exist" (undefined_*), by name or SQLSTATE (classes 42 and 23), or anything (others). */
function catchesRerunFailure(conditions: string[]): boolean {
  return conditions.some((c) => c === 'others' || /^(?:duplicate_|undefined_|unique_violation$|invalid_schema_name$|(?:42|23)[0-9a-z]{3}$)/.test(c));
}

function report(s: Statement, script: Script, check: Check, dropped: Dropped, out: Violation[]): void {
  // A DO block that checks first (IF ...) or catches the failure.
  if (s.guard && (s.guard.conditional || catchesRerunFailure(s.guard.exceptions))) return;
  if (check.guardKeys?.some((k) => dropped.has(k))) return;
  if (dropped.size > 0 && containersOf(s).some((k) => dropped.has(k))) return;
  const fix = check.fix?.(s, script);
  out.push({ location: locate(script, s.start, s.end), message: check.message, fixes: fix ? [fix] : [] });
}

/** Records what a `DROP ... IF EXISTS` removes, so that re-creating it later in the run counts as guarded. */
function recordDrops(s: Statement, dropped: Dropped): void {
  const n = s.node;
  if (s.type === 'DropStmt' && n.missing_ok) {
    const kind = ({
      OBJECT_TABLE: 'table', OBJECT_INDEX: 'index', OBJECT_SEQUENCE: 'sequence', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'matview',
      OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain', OBJECT_SCHEMA: 'schema', OBJECT_EXTENSION: 'extension', OBJECT_POLICY: 'policy', OBJECT_TRIGGER: 'trigger',
    } as Record<string, string>)[n.removeType];
    if (!kind) return;
    for (const o of n.objects ?? []) {
      // Types and domains are TypeName nodes; others are name lists.
      const parts: string[] = o.TypeName ? (o.TypeName.names ?? []).map(str) : (o.List?.items ?? [o]).map(str);
      if (kind === 'policy' || kind === 'trigger') {
        const name = parts[parts.length - 1];
        dropped.add(dropGuardKey(kind, `${qname(parts.slice(0, -1))}:${ident(name)}`));
      } else {
        dropped.add(dropGuardKey(kind, qname(parts)));
      }
    }
  } else if (s.type === 'DropRoleStmt' && n.missing_ok) {
    for (const r of n.roles ?? []) dropped.add(dropGuardKey('role', ident(r.RoleSpec?.rolename ?? '')));
  }
}

export const nonIdempotentStatement: Rule = {
  id: 'non-idempotent-statement',
  defaultSeverity: 'error',
  // Numbered migrations run once, but teams re-run them by hand (psql -f) when one failed halfway: a warning there.
  severityByLayout: { numbered: 'warning' },
  summary: 'A statement in current.sql (or a fixture it includes) that fails or changes data when run twice.',
  check(ctx) {
    const numbered = ctx.project?.layout === 'numbered';
    const out: Violation[] = [];
    // The files of current/ run one after the other in one run: a DROP ... IF EXISTS in one guards the next ones.
    const currentRun: Dropped = new Set();
    for (const script of ctx.scripts) {
      if (script.role !== 'current' && script.role !== 'fixture' && !(numbered && script.role === 'committed')) continue;
      const dropped: Dropped = script.role === 'current' ? currentRun : new Set();
      for (const s of script.parsed.statements) {
        if (s.type === 'AlterTableStmt') checkAlterTable(s, script, dropped, out);
        else {
          const check = checkStatement(s, script);
          if (check) report(s, script, check, dropped, out);
        }
        recordDrops(s, dropped);
      }
    }
    return out;
  },
};
