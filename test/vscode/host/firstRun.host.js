// Issue 10 inside a real VS Code (run by test/vscode/firstRun.test.mjs on its own copy of the sample, embedded
// database): the CodeLens of a just-opened migration without any click, a lens error as a short relative message with
// the whole text as tooltip, Uncommit closing the tab of the file it deletes, Reset Database saying it is done.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { waitFor, workspaceRoot, activeApi, runningClient } = require('./helpers');

let api;
let root;

async function lensTitles(file, wanted, timeoutMs = 30_000) {
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return waitFor(`CodeLens ${wanted} on ${path.basename(file)}`, async () => {
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) || [];
    return lenses.some((l) => l.command && wanted.test(l.command.title)) ? lenses : undefined;
  }, timeoutMs, 250);
}

const openTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText).map((t) => t.input.uri.fsPath);

suite('first run: lenses and commands', () => {
  suiteSetup(async function () {
    if (process.env.PGMIG_FIRSTRUN_TESTS !== '1') {
      this.test.parent.pgmigSkipReason = 'run by test/vscode/firstRun.test.mjs';
      this.skip();
    }
    api = await activeApi();
    const client = await runningClient();
    root = fs.realpathSync(workspaceRoot().fsPath);
    await waitFor('the server to know the sample project', async () => (await client.sendRequest('pgmig/projects')).roots.includes(root), 30_000);
  });

  test('a just-opened migration gets its real lenses without a click', async () => {
    assert.strictEqual(api.workflow.engaged, false, 'nothing read the database before');
    const lenses = await lensTitles(path.join(root, 'migrations', 'committed', '000002-posts.sql'), /^Apply$/);
    const titles = lenses.map((l) => l.command.title);
    assert.ok(titles.includes('pending on default'), titles.join(' | '));
    assert.ok(!titles.some((t) => /Show migration status/.test(t)), titles.join(' | '));
  });

  test('a project whose settings cannot be read: its lens says why instead of reading forever', async () => {
    const lenses = await lensTitles(path.join(root, 'envless', 'migrations', 'current.sql'), /^\$\(error\) pgmig: /);
    const lens = lenses.find((l) => /^\$\(error\) pgmig: /.test(l.command.title));
    assert.match(lens.command.title, /PGMIG_TEST_UNSET_VARIABLE|settings/, lens.command.title);
    assert.ok(!lens.command.title.includes(root), lens.command.title);
  });

  test('a project whose settings cannot be read: the view offers its own settings file (.gmrc, or .gmrc.js)', async () => {
    const tree = api.trees.migrations;
    const actionOf = async (name) => waitFor(`the settings row of ${name}`, async () => {
      const nodes = await tree.getChildren();
      return nodes.find((n) => n.kind === 'action' && n.root === path.join(root, name) && n.action.command === 'vscode.open');
    }, 30_000);
    for (const [name, file] of [['envless', '.gmrc'], ['envless-js', '.gmrc.js']]) {
      const action = await actionOf(name);
      assert.strictEqual(action.action.title, `Open ${file}`);
      assert.strictEqual(action.action.arguments[0].fsPath, path.join(root, name, file));
      assert.ok(fs.existsSync(action.action.arguments[0].fsPath), `${file} exists`);
    }
  });

  test('a lens error: short, paths relative to the project, the title', async () => {
    const current = path.join(root, 'migrations', 'current.sql');
    const before = fs.readFileSync(current, 'utf8');
    const deep = 'a-folder-with-a-rather-long-name/and-another-long-folder-name/missing-fixture.sql';
    fs.writeFileSync(current, `--!include ${deep}\nselect 1;\n`);
    try {
      await api.workflow.status(root, '');
      const lenses = await lensTitles(current, /^current: error/);
      const lens = lenses.find((l) => /^current: error/.test(l.command.title));
      const { title } = lens.command;
      assert.ok(!title.includes(root), `no absolute path in the title: ${title}`);
      assert.ok(title.length <= 'current: error: '.length + 60, `short: ${title}`);
      assert.match(title, /^current: error: migrations\/current\.sql:1:12: fixture 'a-folder-with/);
      // The tooltip (the whole text) does not come back through vscode.executeCodeLensProvider: the UI suite
      // (firstRun.ui.test.mjs) reads it from the rendered lens.
    } finally {
      fs.writeFileSync(current, before);
    }
  });

  test('Uncommit closes the tab of the file it moves back into current.sql', async () => {
    const current = path.join(root, 'migrations', 'current.sql');
    fs.writeFileSync(current, 'create table if not exists app.first_run (id int primary key);\n');
    const migrated = await vscode.commands.executeCommand('pgmig.migrate');
    assert.ok(migrated, api.workflow.lastFailure && api.workflow.lastFailure.message);
    const committed = await vscode.commands.executeCommand('pgmig.commit', { message: 'first run' });
    assert.ok(committed && committed.file, api.workflow.lastFailure && api.workflow.lastFailure.message);
    await waitFor('the committed file open', () => openTabs().includes(committed.file));
    const r = await vscode.commands.executeCommand('pgmig.uncommit');
    assert.ok(r, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.ok(!fs.existsSync(committed.file));
    await waitFor('its tab closed', () => !openTabs().includes(committed.file), 10_000);
  });

  test('the latest applied migration without a down script: a Create Down Script lens that writes and opens it', async () => {
    const file = path.join(root, 'migrations', 'committed', '000003-current-user-id.sql');
    const down = file.replace(/\.sql$/, '.down.sql');
    assert.ok(!fs.existsSync(down));
    await api.workflow.status(root, '');
    const lenses = await lensTitles(file, /^Create Down Script$/);
    assert.ok(!lenses.some((l) => l.command.title === 'Rollback'));
    const lens = lenses.find((l) => l.command.title === 'Create Down Script');
    await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
    assert.ok(fs.existsSync(down), 'the down script is written');
    await waitFor('it is open', () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.fsPath === down);
    // With it, Rollback is offered (the tree and the lenses follow the new file).
    await lensTitles(file, /^Rollback$/);
  });

  test('a .env with ROOT_DATABASE_URL but no DATABASE_URL (as graphile/starter writes it): the row says "settings error", not "embedded database", and how to write DATABASE_URL', async () => {
    const project = path.join(root, 'starterenv');
    const tree = api.trees.migrations;
    const target = await waitFor('the starterenv project in the Migrations view', async () => (await tree.getChildren()).find((n) => n.kind === 'target' && n.root === project), 30_000);
    const rows = await tree.getChildren(target);
    const row = rows.find((n) => n.kind === 'message');
    assert.ok(row, `a message row (rows: ${rows.map((n) => n.kind).join(', ')})`);
    assert.match(row.text, /ROOT_DATABASE_URL is set, but not DATABASE_URL/);
    assert.match(row.text, /add DATABASE_URL=postgres:\/\/starter@127\.0\.0\.1:1\/starter to .*starterenv\/\.env/);
    assert.doesNotMatch(row.text, /owner-secret|root-secret/);
    const description = tree.getTreeItem(target).description;
    assert.match(description, /^settings error/);
    assert.doesNotMatch(description, /embedded database/);
  });

  test('an interrupted commit: a warning row under its target says what the next command does', async () => {
    const project = path.join(root, 'interrupted');
    const tree = api.trees.migrations;
    const target = await waitFor('the interrupted project in the Migrations view', async () => (await tree.getChildren()).find((n) => n.kind === 'target' && n.root === project), 30_000);
    const rows = await tree.getChildren(target);
    const row = rows.find((n) => n.kind === 'message' && /interrupted commit/.test(n.text));
    assert.ok(row, `a row says so (rows: ${rows.map((n) => n.text || (n.item && n.item.name) || n.kind).join(', ')})`);
    assert.match(row.text, /^interrupted commit of 000002\.sql: /);
    assert.ok(row.text.length > 'interrupted commit of 000002.sql: '.length + 20, `and what happens next: ${row.text}`);
    const item = tree.getTreeItem(row);
    assert.strictEqual(item.iconPath.id, 'warning');
    assert.strictEqual(item.tooltip, row.text);
    assert.match(tree.getTreeItem(target).description, /interrupted commit/);
  });

  test('Reset Database says when it is done', async () => {
    const s = await api.workflow.status(root, '');
    const r = await api.workflow.run('reset', { root, target: '', confirm: s.confirmName });
    assert.ok(r, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.match(api.workflow.lastDone, /^pgmig: database reset: 3 committed migrations applied again$/);
  });
});
