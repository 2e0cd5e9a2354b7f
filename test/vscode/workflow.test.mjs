// Issue 5 in a real VS Code: runs host/workflow.host.js inside code-server's extension host on a copy of the sample,
// first on the embedded database (the sample's default), then on a real PostgreSQL this test starts
// (test/support/postgres.mjs) as the editor targets `pg`, `pgpw` (password typed in the editor -> SecretStorage)
// and `prod` (protected). Afterwards graphile-migrate itself reads what the editor committed: it migrates a fresh
// database with the workspace's migrations and reports the editor-migrated one up to date.
// Needs `bash test/vscode/setup.sh`, PostgreSQL (test/support/setup-postgres.sh) and a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { assertPrerequisites, copyWorkspace, repoRoot, skipUnlessInstalled } from './codeServer.mjs';
import { runHostSuite } from './hostRunner.mjs';
import { startPostgres, SUPERUSER_PASSWORD } from '../support/postgres.mjs';

const gmCli = path.join(repoRoot, 'test', 'peers', 'node_modules', 'gm2', 'dist', 'cli.js');

test('migration workflow in a real VS Code (embedded database and PostgreSQL)', { ...skipUnlessInstalled(), timeout: 420_000 }, async (t) => {
  assertPrerequisites();
  const pg = await startPostgres();
  const workspace = copyWorkspace();
  try {
    // The server may still be starting when its port opens.
    for (let i = 0; ; i++) {
      try {
        pg.psql('create database app');
        break;
      } catch (error) {
        if (i > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    pg.psql('create database staging');
    const url = pg.url('app');
    // A login without a password (until the editor's SecretStorage supplies it). This once left a half-open
    // connection that made Reset hang 60 s (server/commands/host.ts emptyPasswordUnlessOtherSource): Reset runs after it.
    const noPassword = pg.url('postgres', { password: null });
    await runHostSuite(t, {
      workspace,
      grep: 'migration workflow',
      logName: 'workflow-host',
      env: {
        PGMIG_WORKFLOW_TESTS: '1',
        PGMIG_TEST_PG_URL: url,
        PGMIG_TEST_STAGING_URL: pg.url('staging'),
        PGMIG_TEST_PG_PASSWORD: SUPERUSER_PASSWORD,
        // Not ROOT_DATABASE_URL: with it and no DATABASE_URL the engine refuses the embedded database (as
        // graphile-migrate stops), so code-server is started as a user of the embedded default would start it; the
        // host test puts the root URL in the project's .env only for Reset on PostgreSQL, the one step that needs it.
        PGMIG_TEST_ROOT_URL: pg.rootUrl,
      },
      settings: {
        'pgmig.targets': {
          pg: { urlEnv: 'PGMIG_TEST_PG_URL' },
          pgpw: { connectionString: noPassword },
          prod: { urlEnv: 'PGMIG_TEST_PG_URL', protected: true },
        },
      },
    });

    await t.test('graphile-migrate accepts what the editor committed and applied', { skip: existsSync(gmCli) ? false : 'graphile-migrate not installed (bash test/peers/setup.sh)' }, () => {
      const env = { ...process.env, DATABASE_URL: url, SHADOW_DATABASE_URL: pg.url('app_shadow'), ROOT_DATABASE_URL: pg.rootUrl };
      // The editor-migrated database: graphile-migrate sees nothing pending (exit 0, or 2 = current.sql not empty).
      const status = spawnSync(process.execPath, [gmCli, 'status'], { cwd: workspace, env, encoding: 'utf8' });
      assert.ok([0, 2].includes(status.status), `graphile-migrate status: ${status.status}\n${status.stdout}${status.stderr}`);
      assert.doesNotMatch(status.stdout + status.stderr, /pending/i);
      // A fresh database migrated by graphile-migrate from the same files, including 000004 committed in the editor.
      pg.psql('create database gmcheck');
      const migrate = spawnSync(process.execPath, [gmCli, 'migrate'], { cwd: workspace, env: { ...env, DATABASE_URL: pg.url('gmcheck') }, encoding: 'utf8' });
      assert.equal(migrate.status, 0, `graphile-migrate migrate: ${migrate.stdout}${migrate.stderr}`);
      const rows = pg.psql('select filename from graphile_migrate.migrations order by filename', 'gmcheck').trim().split('\n');
      // Init Target ran the seed and set the target's setting on its database.
      assert.equal(pg.psql("select count(*) from app.tags where name = 'seeded'", 'staging').trim(), '1');
      assert.match(pg.psql("select array_to_string(setconfig, ',') from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where d.datname = 'staging'"), /app\.environment=staging/);
      assert.deepEqual(rows, ['000001.sql', '000002.sql', '000003.sql', '000004.sql']);
      // The database the editor migrated holds the same history.
      assert.deepEqual(pg.psql('select filename from graphile_migrate.migrations order by filename', 'app').trim().split('\n'), rows);
    });
  } finally {
    await pg.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
});
