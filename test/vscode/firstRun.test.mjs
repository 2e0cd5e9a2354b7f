// Issue 10 in a real VS Code's extension host: runs host/firstRun.host.js inside code-server on its own copy of the
// sample (the suite changes files and the embedded database). The same issue as a person sees it:
// firstRun.ui.test.mjs. Needs `bash test/vscode/setup.sh` and a build.
import { test } from 'node:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertPrerequisites, copyWorkspace, interruptedCommitProject, skipUnlessInstalled } from './codeServer.mjs';
import { runHostSuite } from './hostRunner.mjs';

test('first run: lenses and commands in a real VS Code', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const workspace = copyWorkspace();
  // A project whose settings cannot be read (an !ENV placeholder without its variable, as graphile/starter's .gmrc
  // without its .env): its lens must say so, not "reading the status" forever.
  mkdirSync(path.join(workspace, 'envless', 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(workspace, 'envless', '.gmrc'), '{ placeholders: { ":PGMIG_TEST_UNSET_VARIABLE": "!ENV" } }\n');
  writeFileSync(path.join(workspace, 'envless', 'migrations', 'current.sql'), 'select 1;\n');
  // The same with its settings in .gmrc.js only (read as text in the editor: the placeholder names are used).
  mkdirSync(path.join(workspace, 'envless-js', 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(workspace, 'envless-js', '.gmrc.js'), 'module.exports = { placeholders: { ":PGMIG_TEST_UNSET_VARIABLE": "!ENV" } };\n');
  writeFileSync(path.join(workspace, 'envless-js', 'migrations', 'current.sql'), 'select 1;\n');
  // A project whose .env is as graphile/starter's `yarn setup` writes it: ROOT_DATABASE_URL and the parts of
  // DATABASE_URL, not DATABASE_URL itself.
  mkdirSync(path.join(workspace, 'starterenv', 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(workspace, 'starterenv', '.gmrc'), '{}\n');
  writeFileSync(path.join(workspace, 'starterenv', 'migrations', 'current.sql'), 'select 1;\n');
  writeFileSync(path.join(workspace, 'starterenv', '.env'), 'ROOT_DATABASE_URL=postgres://postgres:root-secret@127.0.0.1:1/template1\nDATABASE_HOST=127.0.0.1:1\nDATABASE_NAME=starter\nDATABASE_OWNER=starter\nDATABASE_OWNER_PASSWORD=owner-secret\n');
  // A project whose second commit was killed after its file was written (issue 11 §4): the view says so.
  interruptedCommitProject(path.join(workspace, 'interrupted'));
  try {
    await runHostSuite(t, { workspace, grep: 'first run', logName: 'first-run-host', env: { PGMIG_FIRSTRUN_TESTS: '1' }, timeoutMs: 180_000 });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
});
