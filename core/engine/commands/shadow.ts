// The shadow database: reset and migrated to the committed history before a commit (or after an uncommit).
import type { CommittedMigration } from '../committed';
import type { EngineContext } from '../context';
import { migrateSession } from './migrate';
import { resetDatabase } from './reset';

export async function resetShadowAndMigrate(engine: EngineContext, extra: CommittedMigration[] = []): Promise<void> {
  const loc = engine.settings.shadow;
  await resetDatabase(
    engine,
    'shadow',
    loc.kind === 'pglite-memory'
      ? async () => {
          // A fresh in-memory database is a reset shadow.
          const old = engine.providers.get('shadow');
          engine.providers.delete('shadow');
          await old?.close();
          return engine.db('shadow');
        }
      : undefined,
  );
  engine.emit({ type: 'step', step: 'shadow-reset' });
  await engine.db('shadow').withSession((s) => engine.withLock(s, 'shadow', () => migrateSession(engine, s, 'shadow', { extra })));
}
