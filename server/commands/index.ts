// The `pgmig.engine.*` commands the language server runs for the editor, one module each (as cli/commands/ is);
// host.ts holds what they share, server/engineHost.ts registers them.
import { commit } from './commit';
import { dumpSchema } from './dumpSchema';
import type { Handler } from './host';
import { initTarget } from './initTarget';
import { layoutMigrate, layoutRollback, layoutStatus } from './layouts';
import { migrate } from './migrate';
import { reset } from './reset';
import { rollback } from './rollback';
import { runCurrent } from './runCurrent';
import { status } from './status';
import { selectTarget, targets } from './targets';
import { uncommit } from './uncommit';
import { watchStart, watchStop } from './watch';

/** Command name (after `pgmig.engine.`) -> handler, in the order the server announces them. */
export const handlers: Record<string, Handler> = {
  status,
  targets,
  selectTarget,
  migrate,
  rollback,
  commit,
  uncommit,
  runCurrent,
  watchStart,
  watchStop,
  reset,
  initTarget,
  dumpSchema,
  layoutStatus,
  layoutMigrate,
  layoutRollback,
};
