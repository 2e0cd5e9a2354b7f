// Replays statements into the schema model, in the order PostgreSQL would run them. Only what the rules and the
// editor need is modelled: tables, columns, indexes, keys, row level security and policies. Statements about
// objects the model does not know (created outside the migrations) are ignored rather than guessed at.
import type { Statement } from '../sql/parser';
import { locate, nameRange, type Script, statementLocation } from '../script';
import type { Location } from '../types';
import { type ForeignKeyModel, type IndexModel, type QualifiedName, SchemaModel, type TableModel, tableKey } from './model';

const str = (n: any): string => n?.String?.sval ?? '';

/** Names from a `names` list such as DropStmt objects: the last is the object, the one before its schema. An
 * unqualified name is looked up along search_path (`indexes`: as an index name). */
function qualified(items: any[], model: SchemaModel, indexes = false): QualifiedName {
  const parts = items.map(str);
  const name = parts[parts.length - 1];
  const schema = parts.length > 1 ? parts[parts.length - 2] : model.resolveSchema(name, indexes);
  return { schema, name };
}

/** The table a RangeVar names, looked up along search_path when unqualified. */
export function rangeVarName(rv: any, model: SchemaModel): QualifiedName {
  const name = rv?.relname ?? '';
  return { schema: rv?.schemaname ?? model.resolveSchema(name), name };
}

const TYPE_ALIASES: Record<string, string> = { int4: 'integer', int8: 'bigint', int2: 'smallint', bool: 'boolean', float8: 'double precision', float4: 'real', bpchar: 'char' };

/** Renders a TypeName as written in SQL (enough for hover). */
export function typeNameText(t: any): string {
  if (!t) return '';
  let base = '';
  for (const n of t.names ?? []) {
    const name: string = str(n);
    if (name === 'pg_catalog') continue;
    base = base === '' ? (TYPE_ALIASES[name] ?? name) : `${base}.${TYPE_ALIASES[name] ?? name}`;
  }
  if (t.typmods) {
    let mods = '';
    for (const m of t.typmods) {
      // An integer modifier; zero is written as an empty `ival` (the JSON leaves out zero values).
      const ival = m?.A_Const?.ival;
      if (ival === undefined) continue;
      const v = ival.ival ?? 0;
      mods = mods === '' ? String(v) : `${mods},${v}`;
    }
    if (mods !== '') base += `(${mods})`;
  }
  if (t.arrayBounds) base += '[]'.repeat(t.arrayBounds.length);
  return base;
}

/** The name PostgreSQL gives an unnamed constraint or index (truncation to 63 bytes aside). */
function defaultName(table: string, columns: string[], suffix: string): string {
  return [table, ...columns, suffix].join('_');
}

export interface ReplayOptions {
  /** Record every statement that names a table in TableModel.references (for the editor's find references and
   * hover); a walk over every other statement's whole tree, which the CLI does not need. Default true. */
  references?: boolean;
}

export class Replayer {
  private readonly references: boolean;
  constructor(
    readonly model: SchemaModel,
    options: ReplayOptions = {},
  ) {
    this.references = options.references ?? true;
  }

  replayScript(script: Script): void {
    this.begin();
    for (const s of script.parsed.statements) this.apply(script, s);
  }

  /** Every script starts on the default search_path; then apply() each of its statements in order. */
  begin(): void {
    this.model.searchPath = 'public';
  }

  private ref(t: TableModel | undefined, loc: Location): void {
    if (t) t.references.push(loc);
  }

  private refRangeVar(script: Script, rv: any): TableModel | undefined {
    const t = this.model.getTable(rangeVarName(rv, this.model));
    if (t && rv?.location !== undefined) t.references.push(nameRange(script, this.atOf(rv.location)));
    return t;
  }

  // Set per statement: converts a node location to an offset in the script's text.
  private atOf: (l: number | undefined) => number = (l) => l ?? 0;

  apply(script: Script, s: Statement): void {
    this.atOf = s.at;
    const n = s.node;
    switch (s.type) {
      case 'CreateStmt':
        this.createTable(script, s, n.relation, n.tableElts ?? []);
        break;
      case 'CreateTableAsStmt':
        if (n.objtype === 'OBJECT_TABLE' && n.into?.rel) this.createTable(script, s, n.into.rel, []);
        break;
      case 'IndexStmt':
        this.createIndex(script, s);
        break;
      case 'AlterTableStmt':
        if (n.objtype === 'OBJECT_TABLE' || n.objtype === undefined) this.alterTable(script, s);
        break;
      case 'RenameStmt':
        this.rename(script, s);
        break;
      case 'AlterObjectSchemaStmt':
        if (n.objectType === 'OBJECT_TABLE') {
          const t = this.model.getTable(rangeVarName(n.relation, this.model));
          if (t) this.moveTable(t, { schema: n.newschema, name: t.name });
        }
        break;
      case 'DropStmt':
        this.drop(s);
        break;
      case 'CreatePolicyStmt': {
        const t = this.refRangeVar(script, n.table);
        if (t) {
          t.policies = t.policies.filter((p) => p.name !== n.policy_name);
          t.policies.push({
            name: n.policy_name,
            command: n.cmd_name ?? 'all',
            created: statementLocation(script, s),
            role: script.role,
            tableAs: { schema: t.schema, name: t.name },
          });
        }
        break;
      }
      case 'VariableSetStmt':
        if (n.name === 'search_path' && n.kind === 'VAR_SET_VALUE') {
          const schemas = (n.args ?? [])
            .map((a: any) => a?.A_Const?.sval?.sval ?? a?.String?.sval)
            .filter((v: any) => typeof v === 'string' && v !== 'pg_catalog' && v !== '$user' && v !== '');
          this.model.searchPathList = schemas.length > 0 ? schemas : ['public'];
        } else if (n.name === 'search_path' && (n.kind === 'VAR_SET_DEFAULT' || n.kind === 'VAR_RESET')) {
          this.model.searchPath = 'public'; // SET search_path TO DEFAULT, RESET search_path
        } else if (n.kind === 'VAR_RESET_ALL') {
          this.model.searchPath = 'public';
        }
        break;
      case 'CreateSchemaStmt':
        for (const e of n.schemaElts ?? []) {
          const type = Object.keys(e)[0];
          const inner = { ...e[type] };
          if (inner.relation && !inner.relation.schemaname) inner.relation = { ...inner.relation, schemaname: n.schemaname };
          this.apply(script, { ...s, type, node: inner });
        }
        break;
      default:
        if (this.references) this.collectReferences(script, s);
        break;
    }
  }

  /** Any other statement that names a table (grant, comment, trigger, insert, ...) is a reference to it. */
  private collectReferences(script: Script, s: Statement): void {
    if (this.model.tables.size === 0) return;
    const visit = (node: any, key: string): void => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const x of node) visit(x, key);
        return;
      }
      if (key === 'RangeVar' || key === 'relation' || key === 'table') {
        if (typeof node.relname === 'string') {
          this.refRangeVar(script, node);
          return;
        }
      }
      for (const k in node) visit(node[k], k);
    };
    visit(s.node, s.type);
    if (s.type === 'CommentStmt' && s.node.objtype === 'OBJECT_TABLE') {
      const t = this.model.getTable(qualified(s.node.object?.List?.items ?? [], this.model));
      this.ref(t, statementLocation(script, s));
    }
  }

  private createTable(script: Script, s: Statement, rv: any, elts: any[]): void {
    // A new table goes into the first schema of search_path, whatever later schemas hold.
    const q: QualifiedName = { schema: rv?.schemaname ?? this.model.searchPath, name: rv?.relname ?? '' };
    const key = tableKey(q);
    if (this.model.tables.has(key)) {
      // CREATE TABLE IF NOT EXISTS over an existing table changes nothing; a plain one would fail.
      this.ref(this.model.tables.get(key), nameRange(script, s.at(rv.location)));
      return;
    }
    const created = statementLocation(script, s);
    const t: TableModel = {
      // Named fields, not `...q`: V8 builds a literal that starts with a spread on a slow path (3x slower here).
      schema: q.schema,
      name: q.name,
      temporary: rv.relpersistence === 't',
      created,
      createdRole: script.role,
      createdAs: { schema: q.schema, name: q.name },
      nameLocation: nameRange(script, s.at(rv.location)),
      columns: new Map(),
      indexes: [],
      foreignKeys: [],
      rls: false,
      policies: [],
      references: [],
    };
    t.references.push(t.nameLocation);
    this.model.tables.set(key, t);
    for (const e of elts) {
      if (e.ColumnDef) this.addColumn(script, s, t, e.ColumnDef);
      else if (e.Constraint) this.addConstraint(script, s, t, e.Constraint, []);
    }
  }

  private addColumn(script: Script, s: Statement, t: TableModel, def: any): void {
    const name: string = def.colname;
    const type = typeNameText(def.typeName);
    let notNull = false;
    let hasDefault = type.endsWith('serial');
    for (const wrapped of def.constraints ?? []) {
      const type = wrapped.Constraint?.contype;
      if (type === 'CONSTR_NOTNULL' || type === 'CONSTR_PRIMARY') notNull = true;
      else if (type === 'CONSTR_DEFAULT' || type === 'CONSTR_IDENTITY' || type === 'CONSTR_GENERATED') hasDefault = true;
    }
    t.columns.set(name, {
      name,
      type,
      notNull,
      hasDefault,
      created: def.location !== undefined ? nameRange(script, s.at(def.location)) : statementLocation(script, s),
    });
    for (const wrapped of def.constraints ?? []) if (wrapped.Constraint) this.addConstraint(script, s, t, wrapped.Constraint, [name]);
  }

  private addConstraint(script: Script, s: Statement, t: TableModel, c: any, columnOf: string[]): void {
    const here = c.location !== undefined ? locate(script, s.at(c.location), s.at(c.location) + 1) : statementLocation(script, s);
    const created = this.constraintRange(script, s, c) ?? here;
    switch (c.contype) {
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE': {
        if (c.indexname) {
          // ADD CONSTRAINT ... USING INDEX: the index becomes the constraint.
          const existing = t.indexes.find((i) => i.name === c.indexname);
          if (existing) {
            existing.kind = c.contype === 'CONSTR_PRIMARY' ? 'primary' : 'unique';
            existing.name = c.conname ?? existing.name;
          }
          break;
        }
        const cols = c.keys ? c.keys.map(str) : columnOf;
        const name = c.conname ?? defaultName(t.name, c.contype === 'CONSTR_PRIMARY' ? [] : cols, c.contype === 'CONSTR_PRIMARY' ? 'pkey' : 'key');
        const index: IndexModel = {
          name,
          kind: c.contype === 'CONSTR_PRIMARY' ? 'primary' : 'unique',
          columns: cols,
          partial: !!c.where_clause,
          created,
        };
        t.indexes.push(index);
        this.model.indexOwner.set(`${t.schema}.${name}`, tableKey(t));
        if (c.contype === 'CONSTR_PRIMARY') for (const col of cols) { const m = t.columns.get(col); if (m) m.notNull = true; }
        break;
      }
      case 'CONSTR_FOREIGN': {
        const columns: string[] = c.fk_attrs ? c.fk_attrs.map(str) : columnOf;
        const fk: ForeignKeyModel = {
          name: c.conname ?? defaultName(t.name, columns, 'fkey'),
          columns,
          references: rangeVarName(c.pktable, this.model),
          refColumns: (c.pk_attrs ?? []).map(str),
          location: created,
          writtenAs: { table: { schema: t.schema, name: t.name }, columns: [...columns] },
          statement: statementLocation(script, s),
          role: script.role,
        };
        t.foreignKeys.push(fk);
        break;
      }
      default:
        break;
    }
  }

  /** From a constraint's location to the end of its clause: the REFERENCES target or the closing parenthesis. */
  private constraintRange(script: Script, s: Statement, c: any): Location | undefined {
    if (c.location === undefined) return undefined;
    const start = s.at(c.location);
    const text = script.expansion.text;
    let end: number | undefined;
    if (c.contype === 'CONSTR_FOREIGN' && c.pktable?.location !== undefined) {
      const after = nameRange(script, s.at(c.pktable.location));
      end = s.at(c.pktable.location) + (after.end - after.start);
      // Include a column list right after the referenced table.
      const m = /^\s*\([^)]*\)/.exec(text.slice(end, end + 400));
      if (m) end += m[0].length;
    } else {
      const open = text.indexOf('(', start);
      const close = open >= 0 ? text.indexOf(')', open) : -1;
      if (close > 0 && close < s.end) end = close + 1;
    }
    if (end === undefined || end <= start || end > s.end) end = Math.min(s.end, start + 1);
    return locate(script, start, end);
  }

  private createIndex(script: Script, s: Statement): void {
    const n = s.node;
    const t = this.refRangeVar(script, n.relation);
    if (!t) return;
    if (n.idxname && n.if_not_exists && t.indexes.some((i) => i.name === n.idxname)) return;
    const columns = (n.indexParams ?? []).map((p: any) => (p.IndexElem?.name !== undefined ? p.IndexElem.name : null));
    const name: string = n.idxname ?? defaultName(t.name, columns.map((c: string | null) => c ?? 'expr'), 'idx');
    t.indexes.push({
      name,
      kind: n.primary ? 'primary' : n.unique ? 'unique' : 'index',
      columns,
      partial: !!n.whereClause,
      created: statementLocation(script, s),
    });
    this.model.indexOwner.set(`${t.schema}.${name}`, tableKey(t));
  }

  private alterTable(script: Script, s: Statement): void {
    const n = s.node;
    const t = this.refRangeVar(script, n.relation);
    if (!t) return;
    for (const wrapped of n.cmds ?? []) {
      const cmd = wrapped.AlterTableCmd;
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          if (cmd.def?.ColumnDef && !t.columns.has(cmd.def.ColumnDef.colname)) this.addColumn(script, s, t, cmd.def.ColumnDef);
          break;
        case 'AT_DropColumn':
          t.columns.delete(cmd.name);
          // PostgreSQL drops indexes and keys that use the column.
          t.indexes = t.indexes.filter((i) => !i.columns.includes(cmd.name));
          t.foreignKeys = t.foreignKeys.filter((f) => !f.columns.includes(cmd.name));
          break;
        case 'AT_AlterColumnType': {
          const col = t.columns.get(cmd.name);
          if (col && cmd.def?.ColumnDef?.typeName) col.type = typeNameText(cmd.def.ColumnDef.typeName);
          break;
        }
        case 'AT_SetNotNull': {
          const col = t.columns.get(cmd.name);
          if (col) col.notNull = true;
          break;
        }
        case 'AT_DropNotNull': {
          const col = t.columns.get(cmd.name);
          if (col) col.notNull = false;
          break;
        }
        case 'AT_AddConstraint':
          if (cmd.def?.Constraint) this.addConstraint(script, s, t, cmd.def.Constraint, []);
          break;
        case 'AT_DropConstraint':
          t.indexes = t.indexes.filter((i) => i.kind === 'index' || i.name !== cmd.name);
          t.foreignKeys = t.foreignKeys.filter((f) => f.name !== cmd.name);
          break;
        // FORCE alone does not enable row level security: it only subjects the owner to it once enabled.
        case 'AT_EnableRowSecurity':
          if (!t.rls) {
            t.rlsEnabledAt = statementLocation(script, s);
            t.rlsEnabledRole = script.role;
          }
          t.rls = true;
          break;
        case 'AT_DisableRowSecurity':
          t.rls = false;
          t.rlsEnabledAt = undefined;
          break;
        default:
          break;
      }
    }
  }

  private rename(script: Script, s: Statement): void {
    const n = s.node;
    switch (n.renameType) {
      case 'OBJECT_TABLE': {
        const t = this.refRangeVar(script, n.relation);
        if (t) this.moveTable(t, { schema: t.schema, name: n.newname });
        break;
      }
      case 'OBJECT_COLUMN': {
        const t = this.refRangeVar(script, n.relation);
        const col = t?.columns.get(n.subname);
        if (t && col) {
          t.columns.delete(n.subname);
          t.columns.set(n.newname, { ...col, name: n.newname });
          const swap = (c: string | null) => (c === n.subname ? n.newname : c);
          for (const i of t.indexes) i.columns = i.columns.map(swap);
          for (const f of t.foreignKeys) f.columns = f.columns.map((c) => swap(c) as string);
        }
        break;
      }
      case 'OBJECT_INDEX': {
        const schema = n.relation?.schemaname ?? this.model.resolveSchema(n.relation?.relname ?? '', true);
        const owner = this.model.indexOwner.get(`${schema}.${n.relation?.relname}`);
        const t = owner ? this.model.tables.get(owner) : undefined;
        const idx = t?.indexes.find((i) => i.name === n.relation?.relname);
        if (idx) idx.name = n.newname;
        if (owner) {
          this.model.indexOwner.delete(`${schema}.${n.relation?.relname}`);
          this.model.indexOwner.set(`${schema}.${n.newname}`, owner);
        }
        break;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const t = this.refRangeVar(script, n.relation);
        if (!t) break;
        for (const i of t.indexes) if (i.name === n.subname) i.name = n.newname;
        for (const f of t.foreignKeys) if (f.name === n.subname) f.name = n.newname;
        break;
      }
      case 'OBJECT_POLICY': {
        const t = this.refRangeVar(script, n.relation);
        const p = t?.policies.find((x) => x.name === n.subname);
        if (p) p.name = n.newname;
        break;
      }
      default:
        break;
    }
  }

  private moveTable(t: TableModel, to: QualifiedName): void {
    const oldKey = tableKey(t);
    this.model.tables.delete(oldKey);
    t.schema = to.schema;
    t.name = to.name;
    this.model.tables.set(tableKey(t), t);
    for (const [k, v] of this.model.indexOwner) if (v === oldKey) this.model.indexOwner.set(k, tableKey(t));
    // Foreign keys follow the table they reference.
    for (const other of this.model.tables.values()) {
      for (const f of other.foreignKeys) if (tableKey(f.references) === oldKey) f.references = { schema: to.schema, name: to.name };
    }
  }

  private drop(s: Statement): void {
    const n = s.node;
    const objects: any[] = (n.objects ?? []).map((o: any) => o.List?.items ?? [o]);
    switch (n.removeType) {
      case 'OBJECT_TABLE':
        for (const items of objects) {
          const key = tableKey(qualified(items, this.model));
          if (!this.model.tables.delete(key)) continue;
          // Keys that referenced it went with it (DROP ... CASCADE; without CASCADE the drop fails while they exist).
          for (const t of this.model.tables.values()) t.foreignKeys = t.foreignKeys.filter((f) => tableKey(f.references) !== key);
        }
        break;
      case 'OBJECT_INDEX':
        for (const items of objects) {
          const q = qualified(items, this.model, true);
          const owner = this.model.indexOwner.get(tableKey(q));
          const t = owner ? this.model.tables.get(owner) : undefined;
          if (t) t.indexes = t.indexes.filter((i) => i.name !== q.name);
          this.model.indexOwner.delete(tableKey(q));
        }
        break;
      case 'OBJECT_POLICY':
        for (const items of objects) {
          const t = this.model.getTable(qualified(items.slice(0, -1), this.model));
          const name = str(items[items.length - 1]);
          if (t) t.policies = t.policies.filter((p) => p.name !== name);
        }
        break;
      case 'OBJECT_SCHEMA':
        if (n.behavior === 'DROP_CASCADE') {
          for (const items of objects) {
            const schema = str(items[0]) || items[0]?.String?.sval;
            for (const [k, t] of [...this.model.tables]) if (t.schema === schema) this.model.tables.delete(k);
          }
        }
        break;
      default:
        break;
    }
  }
}

export function replay(scripts: Script[], model = new SchemaModel()): SchemaModel {
  const r = new Replayer(model);
  for (const script of scripts) r.replayScript(script);
  return model;
}
