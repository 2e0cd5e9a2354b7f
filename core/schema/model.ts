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

export class SchemaModel {
  readonly tables = new Map<string, TableModel>();
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

  /** A deep enough copy to replay more statements on without touching this one. */
  clone(): SchemaModel {
    const copy = new SchemaModel();
    copy.searchPathList = [...this.searchPathList];
    for (const [k, t] of this.tables) {
      copy.tables.set(k, {
        ...t,
        // Replaying changes columns and policies in place (SET NOT NULL, ALTER POLICY ... RENAME): copy them too.
        columns: new Map([...t.columns].map(([k, c]) => [k, { ...c }])),
        indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
        foreignKeys: t.foreignKeys.map((f) => ({ ...f })),
        policies: t.policies.map((p) => ({ ...p })),
        references: [...t.references],
      });
    }
    for (const [k, v] of this.indexOwner) copy.indexOwner.set(k, v);
    return copy;
  }
}
