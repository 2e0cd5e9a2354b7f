// Data migrations: scripts the project runs with its own tooling (`npm run data:migrate <schema>`), registered as
// `<folder>/<schema>/NNNN_name.ts` and tracked in `data_migrations(id serial, name text unique, schema text,
// applied_at)`. pgmig only reads them (for the tree, next to the schema migrations of the same database) and builds
// the project's commands; the scripts themselves are code and run in a terminal.
import path from 'node:path';
import { readIfExists, type DbProvider } from '../db/types';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { qualified } from './detect';
import { columnExists, tableExists } from './sqlRun';
import type { DataMigrationsConfig, ToolCommand } from './types';

export const DATA_MIGRATION_FILE = /^(\d+)_([^.]+)\.(?:ts|mts|cts|js|mjs|cjs)$/;

export interface DataMigration {
  schema: string;
  /** The file name without its extension: what the registry records in `name`. */
  name: string;
  file: string;
  number: number;
}

export interface DataMigrationStatus extends DataMigration {
  state: 'applied' | 'pending';
  appliedAt?: Date;
}

/** The registry: every schema folder's data migrations in numeric order, schemas by name. */
export function listDataMigrations(fsys: FileSystem, config: DataMigrationsConfig): Map<string, DataMigration[]> {
  const out = new Map<string, DataMigration[]>();
  for (const schema of fsys.list(config.folder).sort()) {
    const dir = path.join(config.folder, schema);
    if (schema.startsWith('.') || !fsys.isDirectory(dir)) continue;
    const list = fsys
      .list(dir)
      .map((n) => ({ n, m: DATA_MIGRATION_FILE.exec(n) }))
      .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
      .map(({ n, m }) => ({ schema, name: n.replace(/\.[^.]+$/, ''), file: path.join(dir, n), number: parseInt(m[1], 10) }))
      .sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
    out.set(schema, list);
  }
  return out;
}

export interface DataMigrationReport {
  /** Each schema folder's data migrations, applied or pending. */
  bySchema: Map<string, DataMigrationStatus[]>;
  /** Rows of the tracking table whose script is no longer in the registry (deleted or renamed after it ran). */
  missingScripts: { schema: string | null; name: string; appliedAt: Date }[];
}

/** The registry against the tracking table (read only; nothing is created). */
export async function dataMigrationReport(db: DbProvider, config: DataMigrationsConfig, fsys: FileSystem = diskFileSystem): Promise<DataMigrationReport> {
  const registry = listDataMigrations(fsys, config);
  const rows = await readIfExists(db, [], async (s) => {
    if (!(await tableExists(s, config.table))) return [];
    const schemaCol = (await columnExists(s, config.table, 'schema')) ? 'schema' : 'null::text as schema';
    return s.query<{ name: string; schema: string | null; applied_at: Date }>(`select name, ${schemaCol}, applied_at from ${qualified(config.table)}`);
  });
  // Registries record the name with or without the extension, and with or without the schema column filled.
  const key = (schema: string | null, name: string) => `${schema ?? ''}\0${name.replace(/\.[^.]+$/, '')}`;
  const applied = new Map<string, Date>();
  for (const r of rows) {
    applied.set(key(r.schema, r.name), r.applied_at);
    if (r.schema === null) applied.set(key(null, r.name), r.applied_at);
  }
  const bySchema = new Map<string, DataMigrationStatus[]>();
  const used = new Set<string>();
  for (const [schema, list] of registry) {
    bySchema.set(
      schema,
      list.map((m) => {
        const k = applied.has(key(schema, m.name)) ? key(schema, m.name) : key(null, m.name);
        const at = applied.get(k);
        if (!at) return { ...m, state: 'pending' as const };
        used.add(k);
        return { ...m, state: 'applied' as const, appliedAt: new Date(at) };
      }),
    );
  }
  const missingScripts = rows
    .filter((r) => !used.has(key(r.schema, r.name)) && !used.has(key(null, r.name)))
    .map((r) => ({ schema: r.schema, name: r.name, appliedAt: new Date(r.applied_at) }));
  return { bySchema, missingScripts };
}

export async function dataMigrationStatus(db: DbProvider, config: DataMigrationsConfig, fsys: FileSystem = diskFileSystem): Promise<Map<string, DataMigrationStatus[]>> {
  return (await dataMigrationReport(db, config, fsys)).bySchema;
}

export function dataMigrationCommands(config: DataMigrationsConfig, root: string, schema?: string): ToolCommand[] {
  const cmds: ToolCommand[] = [];
  if (schema) cmds.push({ title: `Run data migrations of ${schema}`, commandLine: `${config.migrate} ${schema}`, cwd: root });
  cmds.push({ title: 'Reset data migrations', commandLine: config.reset, cwd: root });
  return cmds;
}
