// The schema as the migrations leave it: what the table rules, hover and go-to-definition look at. Every object
// remembers where it was created, so a finding or a jump can point there.
import type { FileRole, Location } from '../types';

export interface QualifiedName {
  schema: string;
  name: string;
}

export interface ColumnModel {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  created: Location;
}

export interface IndexModel {
  /** The index or constraint name; undefined for an unnamed CREATE INDEX before PostgreSQL names it. */
  name?: string;
  kind: 'index' | 'primary' | 'unique';
  /** Key columns in order; an expression key is `null`. */
  columns: (string | null)[];
  partial: boolean;
  created: Location;
}

export interface ForeignKeyModel {
  name?: string;
  columns: string[];
  references: QualifiedName;
  refColumns: string[];
  /** Where the key is written: the REFERENCES clause or the FOREIGN KEY constraint. */
  location: Location;
  /** The table and columns as named when the key was added (later renames change `columns`, not this), so that a
   * fix placed right after that statement names what existed then. */
  writtenAs: { table: QualifiedName; columns: string[] };
  /** The statement that holds it (for fixes placed after it), and the role of the script it ran in. */
  statement: Location;
  role: FileRole;
}

export interface PolicyModel {
  name: string;
  command: string;
  created: Location;
  role: FileRole;
  /** The table's name when the policy was created. */
  tableAs: QualifiedName;
}

export interface TableModel extends QualifiedName {
  temporary: boolean;
  /** The CREATE TABLE statement, the name inside it, and the role of the script it ran in. */
  created: Location;
  createdRole: FileRole;
  /** The name in the CREATE TABLE (schema resolved); `schema` and `name` follow later renames. */
  createdAs: QualifiedName;
  nameLocation: Location;
  columns: Map<string, ColumnModel>;
  indexes: IndexModel[];
  foreignKeys: ForeignKeyModel[];
  rls: boolean;
  rlsEnabledAt?: Location;
  rlsEnabledRole?: FileRole;
  policies: PolicyModel[];
  /** Statements that touch the table (create, alter, index, policy, grant, comment, ...). */
  references: Location[];
}

export function tableKey(q: QualifiedName): string {
  return `${q.schema}.${q.name}`;
}

export function displayName(q: QualifiedName): string {
  const ident = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
  return q.schema === 'public' ? ident(q.name) : `${ident(q.schema)}.${ident(q.name)}`;
}

/** A copy of a table deep enough to change without touching the original (replay changes columns, indexes, keys
 * and policies in place: SET NOT NULL, RENAME, ...). */
export function copyTable(t: TableModel): TableModel {
  // Every field by name (keep in step with TableModel): a literal that starts with `...t` is built on V8's slow
  // path, and copy-on-write runs this for every table an edit's replay touches.
  const columns = new Map<string, ColumnModel>();
  for (const [k, c] of t.columns) columns.set(k, { ...c });
  return {
    schema: t.schema,
    name: t.name,
    temporary: t.temporary,
    created: t.created,
    createdRole: t.createdRole,
    createdAs: t.createdAs,
    nameLocation: t.nameLocation,
    columns,
    indexes: t.indexes.map((i) => ({ name: i.name, kind: i.kind, columns: [...i.columns], partial: i.partial, created: i.created })),
    foreignKeys: t.foreignKeys.map((f) => ({ ...f })),
    rls: t.rls,
    rlsEnabledAt: t.rlsEnabledAt,
    rlsEnabledRole: t.rlsEnabledRole,
    policies: t.policies.map((p) => ({ ...p })),
    references: [...t.references],
  };
}

/**
 * The tables of a model, copy-on-write: tables shared with another model (after `clone()`) are copied the first
 * time they are handed out (get, iteration), so whoever receives one may change it. Replaying an edit of current.sql
 * clones the model twice; copying only the tables the replay touches keeps that cheap.
 */
export class TableMap extends Map<string, TableModel> {
  /** Tables still shared with another model. */
  shared: Set<TableModel> | undefined;

  override get(key: string): TableModel | undefined {
    const t = super.get(key);
    if (t === undefined || this.shared === undefined || !this.shared.has(t)) return t;
    const own = copyTable(t);
    this.shared.delete(t);
    super.set(key, own);
    return own;
  }
  override entries(): MapIterator<[string, TableModel]> {
    return this.shared === undefined ? super.entries() : this.owningEntries();
  }
  override values(): MapIterator<TableModel> {
    return this.shared === undefined ? super.values() : this.owningValues();
  }
  private *owningEntries(): MapIterator<[string, TableModel]> {
    for (const k of [...super.keys()]) {
      const t = this.get(k);
      if (t !== undefined) yield [k, t];
    }
  }
  private *owningValues(): MapIterator<TableModel> {
    for (const [, t] of this.owningEntries()) yield t;
  }
  override [Symbol.iterator](): MapIterator<[string, TableModel]> {
    return this.entries();
  }
  override forEach(callback: (value: TableModel, key: string, map: Map<string, TableModel>) => void, thisArg?: unknown): void {
    for (const [k, t] of this.entries()) callback.call(thisArg, t, k, this);
  }
  /** Without copying: for cloning, and for readers of a sealed model. */
  rawEntries(): IterableIterator<[string, TableModel]> {
    return super.entries();
  }
  rawValues(): IterableIterator<TableModel> {
    return super.values();
  }
  rawSet(key: string, t: TableModel): void {
    super.set(key, t);
  }
}

export class SchemaModel {
  readonly tables = new TableMap();
  /** Index name (schema-qualified) -> table key, for DROP INDEX and ALTER INDEX RENAME. */
  readonly indexOwner = new Map<string, string>();
  /** The schemas of search_path in order (pg_catalog and "$user" left out). */
  searchPathList: string[] = ['public'];

  /** Where unqualified names are created: the first schema of search_path. Setting it sets a one-schema path. */
  get searchPath(): string {
    return this.searchPathList[0] ?? 'public';
  }
  set searchPath(schema: string) {
    this.searchPathList = [schema];
  }

  /** The schema an unqualified name of an existing table (or index, with `indexes`) resolves to, as PostgreSQL
   * looks it up: the first schema of the path that has it, else the first schema. */
  resolveSchema(name: string, indexes = false): string {
    for (const schema of this.searchPathList) {
      if (indexes ? this.indexOwner.has(`${schema}.${name}`) : this.tables.has(`${schema}.${name}`)) return schema;
    }
    return this.searchPath;
  }

  getTable(q: QualifiedName): TableModel | undefined {
    return this.tables.get(tableKey(q));
  }

  /** Set once the model is final (the committed history, an analysis result, a checkpoint): it never changes again,
   * so its tables can be handed out as they are even when a clone shares them. */
  sealed = false;

  seal(): this {
    this.sealed = true;
    this.tables.shared = undefined;
    return this;
  }

  /** A copy to replay more statements on without touching this one. The two share their table objects until one
   * of them hands a table out (see TableMap): cloning costs a map copy, not a copy of every table. */
  clone(): SchemaModel {
    const copy = new SchemaModel();
    copy.searchPathList = [...this.searchPathList];
    for (const [k, t] of this.tables.rawEntries()) copy.tables.rawSet(k, t);
    copy.tables.shared = new Set(copy.tables.rawValues());
    // A model that may still change (a replay in progress) must copy its tables before changing them, too.
    if (!this.sealed) this.tables.shared = new Set(copy.tables.shared);
    for (const [k, v] of this.indexOwner) copy.indexOwner.set(k, v);
    return copy;
  }

}
