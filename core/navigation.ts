// Questions an editor asks about a position in a file, answered from an Analysis: which statement, table, column or
// include directive is there, and what the statements of a file are. Offsets are string offsets into the file (not
// the expanded script); adapters convert lines and columns at their edge.
import path from 'node:path';
import type { Analysis } from './analysis';
import type { IncludeDirective } from './includes';
import type { Statement } from './sql/parser';
import type { Project } from './project';
import type { ColumnModel, QualifiedName, SchemaModel, TableModel } from './schema/model';
import { locate, nameRange, type Script } from './script';
import type { Location } from './types';

/** A statement of a file with its place in that file. */
export interface FileStatement {
  script: Script;
  statement: Statement;
  location: Location;
}

const statementCache = new WeakMap<Script, Map<string, FileStatement[]>>();

/** The statements of `script` whose text lives in `file` (a script's own file or a fixture it includes), by start. */
function statementsIn(script: Script, file: string): FileStatement[] {
  let byFile = statementCache.get(script);
  if (!byFile) {
    byFile = new Map();
    for (const statement of script.parsed.statements) {
      const location = locate(script, statement.start, statement.end);
      let list = byFile.get(location.file);
      if (!list) byFile.set(location.file, (list = []));
      list.push({ script, statement, location });
    }
    statementCache.set(script, byFile);
  }
  return byFile.get(file) ?? [];
}

/** Scripts whose text includes `file`: the file's own script, or the scripts that include it as a fixture. */
export function scriptsOf(analysis: Analysis, file: string): Script[] {
  const own = analysis.scripts.filter((s) => s.file === file);
  const including = analysis.scripts.filter((s) => s.file !== file && s.expansion.fixtures.has(file));
  return [...own, ...including];
}

/** Every statement written in `file` (top level and inside DO blocks), in file order, from the first script that has it. */
export function statementsOfFile(analysis: Analysis, file: string): FileStatement[] {
  for (const script of scriptsOf(analysis, file)) {
    const list = statementsIn(script, file);
    if (list.length > 0) return list;
  }
  return [];
}

/** The innermost statement of `file` whose range contains `offset` (its end counts, so a cursor after the last
 * character still finds it). */
export function statementAt(analysis: Analysis, file: string, offset: number): FileStatement | undefined {
  let best: FileStatement | undefined;
  for (const script of scriptsOf(analysis, file)) {
    const list = statementsIn(script, file);
    // Binary search for the last top-level statement starting at or before offset, then look at neighbours (DO block
    // children start after their block).
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].location.start <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = found; i >= 0 && i >= found - 64; i--) {
      const c = list[i];
      if (c.location.start <= offset && offset <= c.location.end) {
        if (!best || c.location.end - c.location.start < best.location.end - best.location.start) best = c;
      }
      if (!c.statement.parent && c.location.end < offset) break;
    }
    if (best) return best;
  }
  return best;
}

/** The `--!include` directive of `file` at `offset` (anywhere on its line). */
export function includeAt(analysis: Analysis, file: string, offset: number): IncludeDirective | undefined {
  for (const script of scriptsOf(analysis, file)) {
    const d = script.expansion.directives.find((x) => x.file === file && x.start <= offset && offset <= x.end);
    if (d) return d;
  }
  return undefined;
}

/**
 * Where the fixture a directive names would be, when it does not exist: inside the project's fixtures folder (a path
 * that leaves it is another problem, include-outside-fixtures). For "Create fixture file" and go to definition.
 */
export function missingFixturePath(analysis: Analysis, d: IncludeDirective): string | undefined {
  const fixtures = analysis.project?.fixturesDir;
  if (d.target || !fixtures || !d.rawPath.trim()) return undefined;
  const file = path.resolve(fixtures, d.rawPath);
  const rel = path.relative(fixtures, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return file;
}

/** Every include directive written in `file`, once each. */
export function includesOfFile(analysis: Analysis, file: string): IncludeDirective[] {
  const seen = new Set<number>();
  const out: IncludeDirective[] = [];
  for (const script of scriptsOf(analysis, file)) {
    for (const d of script.expansion.directives) {
      if (d.file !== file || seen.has(d.start)) continue;
      seen.add(d.start);
      out.push(d);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Fixture paths relative to the fixtures folder (with `/`), and the folders between, for completing `--!include `. */
export function fixturePaths(project: Project): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders = new Set<string>();
  for (const f of project.fixtureFiles) {
    const rel = path.relative(project.fixturesDir, f).split(path.sep).join('/');
    files.push(rel);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/') + '/');
  }
  return { files, folders: [...folders].sort() };
}

export interface SymbolAt {
  statement?: FileStatement;
  /** The table named at the offset, or the table the column belongs to. */
  table?: TableModel;
  column?: ColumnModel;
  /** The name's range in the file. */
  range?: Location;
}

/** Unquoted identifiers fold to lower case; quoted ones keep their case. */
function identifierAt(text: string, offset: number): { name: string; start: number; end: number } | undefined {
  // A quoted identifier around the offset.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndRaw = text.indexOf('\n', offset);
  const lineEnd = lineEndRaw === -1 ? text.length : lineEndRaw;
  const line = text.slice(lineStart, lineEnd);
  const quoted = /"((?:[^"]|"")*)"/g;
  for (const m of line.matchAll(quoted)) {
    const s = lineStart + m.index!;
    const e = s + m[0].length;
    if (s <= offset && offset <= e) return { name: m[1].replace(/""/g, '"'), start: s, end: e };
  }
  const word = /[\p{L}\p{N}_$]/u;
  let s = offset;
  while (s > lineStart && word.test(text[s - 1])) s--;
  let e = offset;
  while (e < lineEnd && word.test(text[e])) e++;
  if (s === e || /[\p{N}$]/u.test(text[s])) return undefined;
  return { name: text.slice(s, e).toLowerCase(), start: s, end: e };
}

/** Finds a table by a name as written: qualified, or in `public`, or the only table of that name in any schema. */
export function findTable(model: SchemaModel, q: { schema?: string; name: string }): TableModel | undefined {
  if (q.schema) return model.getTable(q as QualifiedName);
  const inPublic = model.getTable({ schema: 'public', name: q.name });
  if (inPublic) return inPublic;
  let only: TableModel | undefined;
  for (const t of model.tables.values()) {
    if (t.name !== q.name) continue;
    if (only) return undefined; // ambiguous without a search path
    only = t;
  }
  return only;
}

function lookupTable(analysis: Analysis, q: { schema?: string; name: string }): TableModel | undefined {
  return findTable(analysis.model, q) ?? findTable(analysis.committedModel, q);
}

interface RangeVarHit {
  node: any;
  range: Location;
}

/** RangeVar-like nodes (objects with `relname` and `location`) of a statement, with their name ranges in the file. */
function rangeVars(fs: FileStatement): RangeVarHit[] {
  const out: RangeVarHit[] = [];
  const visit = (node: any): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) visit(x);
      return;
    }
    if (typeof node.relname === 'string' && typeof node.location === 'number') {
      out.push({ node, range: nameRange(fs.script, fs.statement.at(node.location)) });
    }
    for (const k in node) {
      // A DO block's children are statements of their own.
      if (k === 'args' && fs.statement.type === 'DoStmt') continue;
      visit(node[k]);
    }
  };
  visit(fs.statement.node);
  return out;
}

/** Column references (`ColumnRef`) with their parts, in the file. */
function columnRefs(fs: FileStatement): { fields: string[]; at: number }[] {
  const out: { fields: string[]; at: number }[] = [];
  const visit = (node: any, key: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) visit(x, key);
      return;
    }
    if (key === 'ColumnRef' && Array.isArray(node.fields) && typeof node.location === 'number') {
      const fields = node.fields.map((f: any) => f?.String?.sval).filter((v: any) => typeof v === 'string');
      out.push({ fields, at: fs.statement.at(node.location) });
    }
    for (const k in node) visit(node[k], k);
  };
  visit(fs.statement.node, fs.statement.type);
  return out;
}

const IDENT_CHAIN = /(?:"(?:[^"]|"")*"|[\p{L}_][\p{L}\p{N}_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\p{L}_][\p{L}\p{N}_$]*))*/uy;

const rvName = (rv: any) => ({ schema: rv.schemaname as string | undefined, name: rv.relname as string });

/**
 * What is named at `offset` of `file`: a table (any statement that names it), or a column (`table.column`,
 * `alias.column`, a column of the statement's table in ALTER TABLE, CREATE INDEX, a constraint's column list, or the
 * column list after REFERENCES).
 */
export function symbolAt(analysis: Analysis, file: string, offset: number): SymbolAt {
  const fs = statementAt(analysis, file, offset);
  if (!fs) return {};
  const text = fs.script.expansion.text;
  const hits = rangeVars(fs);
  for (const h of hits) {
    if (h.range.file === file && h.range.start <= offset && offset <= h.range.end) {
      return { statement: fs, table: lookupTable(analysis, rvName(h.node)), range: h.range };
    }
  }

  // Everything below works on the expanded text; map the file offset into it through the statement's start.
  const local = fs.statement.start + (offset - fs.location.start);
  if (local < fs.statement.start || local > fs.statement.end) return { statement: fs };
  const word = identifierAt(text, local);
  if (!word) return { statement: fs };
  const range = locate(fs.script, word.start, word.end);

  // Aliases of the statement's tables: `FROM app.users u` makes `u.id` a column of app.users.
  const tables = new Map<string, TableModel>();
  for (const h of hits) {
    const t = lookupTable(analysis, rvName(h.node));
    if (!t) continue;
    tables.set(h.node.relname, t);
    if (h.node.alias?.aliasname) tables.set(h.node.alias.aliasname, t);
  }

  for (const ref of columnRefs(fs)) {
    if (ref.at > word.start || ref.fields.length < 2) continue;
    // The word must be the last part of this qualified reference.
    IDENT_CHAIN.lastIndex = ref.at;
    const m = IDENT_CHAIN.exec(text);
    if (!m || ref.at + m[0].length !== word.end) continue;
    const last = ref.fields[ref.fields.length - 1];
    if (last !== word.name) continue;
    const owner = ref.fields[ref.fields.length - 2];
    const schema = ref.fields.length > 2 ? ref.fields[ref.fields.length - 3] : undefined;
    const t = schema ? lookupTable(analysis, { schema, name: owner }) : tables.get(owner) ?? lookupTable(analysis, { name: owner });
    const column = t?.columns.get(word.name);
    if (t && column) return { statement: fs, table: t, column, range };
  }

  // `REFERENCES other (col)`: the columns after a referenced table belong to it.
  for (const h of hits) {
    if (h.range.file !== file || h.range.end > offset) continue;
    const between = text.slice(fs.statement.start + (h.range.end - fs.location.start), local);
    if (/^\s*\([^()]*$/.test(between)) {
      const t = lookupTable(analysis, rvName(h.node));
      const column = t?.columns.get(word.name);
      if (t && column) return { statement: fs, table: t, column, range };
    }
  }

  // A column of the statement's own table (CREATE TABLE, ALTER TABLE, CREATE INDEX ... ON t (col)).
  const own = hits[0] ? lookupTable(analysis, rvName(hits[0].node)) : undefined;
  const column = own?.columns.get(word.name);
  if (own && column) return { statement: fs, table: own, column, range };
  for (const t of new Set(tables.values())) {
    const c = t.columns.get(word.name);
    if (c) return { statement: fs, table: t, column: c, range };
  }
  return { statement: fs };
}

export type StatementCategory = 'table' | 'index' | 'function' | 'view' | 'type' | 'policy' | 'alter' | 'drop' | 'data' | 'other';

export interface StatementSymbol {
  /** e.g. `CREATE TABLE app.users`. */
  name: string;
  type: string;
  category: StatementCategory;
  location: Location;
  /** The object's name when the statement names one, inside `location`. */
  nameLocation?: Location;
  /** Statements run by a DO block, under it. */
  children: StatementSymbol[];
}

function categoryOf(type: string): StatementCategory {
  switch (type) {
    case 'CreateStmt':
    case 'CreateTableAsStmt':
      return 'table';
    case 'IndexStmt':
      return 'index';
    case 'CreateFunctionStmt':
    case 'DoStmt':
    case 'CreateTrigStmt':
      return 'function';
    case 'ViewStmt':
      return 'view';
    case 'CompositeTypeStmt':
    case 'CreateEnumStmt':
    case 'CreateDomainStmt':
    case 'DefineStmt':
      return 'type';
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
    case 'GrantStmt':
      return 'policy';
    case 'AlterTableStmt':
    case 'RenameStmt':
    case 'AlterObjectSchemaStmt':
      return 'alter';
    case 'DropStmt':
      return 'drop';
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'CopyStmt':
    case 'SelectStmt':
      return 'data';
    default:
      return 'other';
  }
}

/** A statement's title: its leading words up to the object's name, e.g. `CREATE UNIQUE INDEX users_email ON app.users`. */
function titleOf(text: string, start: number, end: number): string {
  const head = text.slice(start, Math.min(end, start + 400));
  // Drop comments and collapse whitespace; stop where the body starts.
  const flat = head.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
  const cut = flat.search(/\s*\(|\s+AS\s|\s+USING\s|\s+WITH\s|\s+FOR\s+(?:EACH|SELECT|INSERT|UPDATE|DELETE|ALL)\b|\s+(?:TO|FROM|SET|VALUES|WHERE|RETURNS|BEFORE|AFTER|INSTEAD)\s|\s+\$/i);
  let title = cut > 0 ? flat.slice(0, cut) : flat;
  if (title.length > 80) title = title.slice(0, 79) + '…';
  return title || flat.slice(0, 40);
}

/** The statements of `file` as a document outline. */
export function documentSymbols(analysis: Analysis, file: string): StatementSymbol[] {
  const list = statementsOfFile(analysis, file);
  const top: StatementSymbol[] = [];
  const byStatement = new Map<Statement, StatementSymbol>();
  for (const fs of list) {
    const s = fs.statement;
    const text = fs.script.expansion.text;
    const relation = s.node?.relation ?? s.node?.table ?? s.node?.into?.rel ?? s.node?.view;
    let nameLocation: Location | undefined;
    if (relation && typeof relation.location === 'number') {
      const r = nameRange(fs.script, s.at(relation.location));
      if (r.file === fs.location.file && r.start >= fs.location.start && r.end <= fs.location.end) nameLocation = r;
    }
    const symbol: StatementSymbol = {
      name: titleOf(text, s.start, s.end),
      type: s.type,
      category: categoryOf(s.type),
      location: fs.location,
      nameLocation,
      children: [],
    };
    byStatement.set(s, symbol);
    const parent = s.parent ? byStatement.get(s.parent) : undefined;
    if (parent && fs.location.start >= parent.location.start && fs.location.end <= parent.location.end) parent.children.push(symbol);
    else top.push(symbol);
  }
  return top;
}
