// The shapes the language server's engine host (server/engineHost.ts) sends: type-only, so the client bundle
// pulls in none of the server's code.
export type {
  EngineArgs,
  MigrationItem,
  MigrationState,
  CurrentState,
  TargetStatus,
  LayoutStatusReport,
} from '../server/engineHost';
export type { LayoutTreeItem } from '../core/layouts/treeItems';

/** A project of another layout (numbered SQL, Drizzle, Alembic), as `pgmig/projects` lists it. */
export interface LayoutProjectInfo {
  root: string;
  kind: string;
}

export interface TargetInfo {
  name: string;
  label: string;
  description: string;
  protected: boolean;
}

export interface SchemaTable {
  name: string;
  schema: string;
  rls: boolean;
  policies: number;
  file: string;
  start: number;
  findings: { rule: string; severity: string; message: string; file: string; start: number }[];
}

/** The pseudo-target name of the embedded database (server/engineHost.ts EMBEDDED_TARGET). */
export const EMBEDDED_TARGET = 'embedded';
