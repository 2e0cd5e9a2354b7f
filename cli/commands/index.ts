// The engine's commands (migrate, watch, commit, ...), one module each. `lint` lives in cli/lint.ts.
import * as commit from './commit';
import * as init from './init';
import * as migrate from './migrate';
import * as reset from './reset';
import * as rollback from './rollback';
import * as schema from './schema';
import * as status from './status';
import * as target from './target';
import * as uncommit from './uncommit';
import * as watch from './watch';
import { withLayouts } from './layouts';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Projects of other layouts (numbered SQL, Drizzle, Alembic) get their own status/migrate/rollback, and `new`.
export const commands: Record<string, Command> = withLayouts({ init, migrate, watch, commit, uncommit, rollback, status, reset, schema, target });
