// Issue 5, the migration workflow, inside a real VS Code: the Migrations and Schema trees, the Migrate: commands,
// CodeLens Apply/Rollback, watch on save with SQL errors as diagnostics, Reset's confirmation and protection,
// workspace trust — on the embedded database (the default of the sample, which configures no connection), then
// on a real PostgreSQL when workflow.test.mjs started one (PGMIG_TEST_PG_URL).
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { waitFor, workspaceRoot, activeApi, runningClient } = require('./helpers');

const SAMPLE_MIGRATIONS = ['000001-users.sql', '000002-posts.sql', '000003-current-user-id.sql'];

let api;
let client;
let root;

async function setup() {
  api = await activeApi();
  client = await runningClient();
  root = fs.realpathSync(workspaceRoot().fsPath);
  await waitFor('the server to know the sample project', async () => (await client.sendRequest('pgmig/projects')).roots.includes(root), 30_000);
}

/** What the Migrations view shows for a target: its node, its children and their tree items. */
async function treeOf(target = '') {
  const tree = api.trees.migrations;
  const tops = await tree.getChildren();
  const node = tops.find((n) => n.kind === 'target' && n.root === root && n.target === target);
  assert.ok(node, `the tree has a node for target '${target || 'default'}' (has: ${tops.map((n) => n.kind + ':' + n.target).join(', ')})`);
  const children = await tree.getChildren(node);
  const items = children.map((c) => ({ node: c, item: tree.getTreeItem(c) }));
  return {
    node,
    items,
    migrations: items.filter((x) => x.node.kind === 'migration').map((x) => ({ name: x.item.label, description: x.item.description, state: x.node.item.state, tooltip: x.item.tooltip.value, context: x.item.contextValue, node: x.node })),
    current: items.find((x) => x.node.kind === 'current'),
    async fixtures() {
      const cur = items.find((x) => x.node.kind === 'current');
      return (await tree.getChildren(cur.node)).map((f) => tree.getTreeItem(f).label);
    },
  };
}

async function status(target = '') {
  const s = await api.workflow.status(root, target);
  if (s instanceof Error) throw s;
  return s;
}

async function lensesOf(file, wanted) {
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return waitFor(`CodeLens ${wanted} on ${path.basename(file)}`, async () => {
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
    const titles = (lenses || []).map((l) => l.command && l.command.title);
    return titles.some((t) => wanted.test(t || '')) ? lenses : undefined;
  }, 20_000);
}

async function runLens(lenses, title) {
  const lens = lenses.find((l) => l.command && l.command.title === title);
  assert.ok(lens, `a '${title}' lens (have: ${lenses.map((l) => l.command.title).join(' | ')})`);
  return vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
}

async function setText(file, text) {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
  await vscode.window.showTextDocument(doc);
  assert.ok(await doc.save(), 'saved');
  return doc;
}

/** Runs an engine command straight on the server (no UI), returning { result } or { error }. */
async function engine(name, args) {
  try {
    return { result: await client.sendRequest('workspace/executeCommand', { command: `pgmig.engine.${name}`, arguments: [{ root, ...args }] }) };
  } catch (error) {
    return { error };
  }
}

/** These suites change the workspace and its databases: only workflow.test.mjs runs them (on its own copy). */
function onlyInWorkflowRun(suite) {
  if (process.env.PGMIG_WORKFLOW_TESTS !== '1') {
    suite.test.parent.pgmigSkipReason = 'run by test/vscode/workflow.test.mjs';
    suite.skip();
  }
}

suite('migration workflow: embedded database', () => {
  suiteSetup(async function () {
    onlyInWorkflowRun(this);
    await setup();
  });

  test('contributes the Migrate: commands in the palette, the views and the settings', async () => {
    const pkg = vscode.extensions.getExtension('pgmig.pgmig').packageJSON;
    const titles = pkg.contributes.commands.filter((c) => c.category === 'Migrate').map((c) => c.title);
    for (const t of ['Commit current.sql as a New Migration', 'Uncommit the Latest Migration into current.sql', 'Apply Pending Migrations', 'Roll Back the Latest Migration', 'Start Watch (Apply current.sql on Save)', 'Stop Watch', 'Show Database Status', 'Reset Database (Drop and Migrate Again)', 'Select Target Database', 'Dump the Database Schema', 'Show Log']) {
      assert.ok(titles.includes(`${t} — pgmig`), `Migrate: ${t} — pgmig is contributed`);
    }
    assert.ok(titles.includes('Initialize a Target Database (pgmig.json)'));
    // Typing "pgmig" in the palette finds every palette command (VS Code matches a substring of "Migrate: <title>").
    const hidden = new Set((pkg.contributes.menus.commandPalette || []).filter((m) => m.when === 'false').map((m) => m.command));
    for (const c of pkg.contributes.commands.filter((c) => !hidden.has(c.command))) assert.match(`${c.category}: ${c.title}`, /pgmig/, c.command);
    const registered = await vscode.commands.getCommands(true);
    for (const c of pkg.contributes.commands) assert.ok(registered.includes(c.command), `${c.command} is registered`);
    assert.deepStrictEqual(pkg.contributes.views.pgmig.map((v) => v.id), ['pgmig.migrations', 'pgmig.schema']);
    assert.strictEqual(pkg.contributes.viewsContainers.activitybar[0].title, 'Migrations');
    assert.ok(pkg.contributes.viewsWelcome.some((w) => w.when === 'pgmig.view == unreachable' && w.contents.includes('command:pgmig.useEmbedded')));
    assert.strictEqual(typeof vscode.workspace.getConfiguration('pgmig').get('targets'), 'object');
    assert.strictEqual(vscode.workspace.getConfiguration('pgmig').get('shadowCheck'), false);
  });

  test('the tree shows the sample: three pending migrations, current.sql dirty with its fixtures', async () => {
    const t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.name), SAMPLE_MIGRATIONS);
    assert.deepStrictEqual(t.migrations.map((m) => m.description), ['pending', 'pending', 'pending']);
    assert.match(t.migrations[0].tooltip, /Hash: `sha1:[0-9a-f]{40}`/);
    assert.match(t.migrations[1].tooltip, /Message: posts/i);
    assert.strictEqual(t.current.item.label, 'current.sql');
    assert.match(t.current.item.description, /^dirty/);
    assert.deepStrictEqual((await t.fixtures()).sort(), ['comment_status.sql', 'comments.sql', 'comments.sql', 'post_excerpt.sql'].sort());
    assert.match(t.node.info.description, /embedded/);
  });

  test('the Schema view lists the tables with RLS on/off and their findings', async () => {
    const schema = api.trees.schema;
    const tables = await waitFor('the schema view', async () => {
      const nodes = await schema.getChildren();
      return nodes.length ? nodes : undefined;
    });
    const byName = new Map(tables.map((n) => [n.table.name, n]));
    assert.ok(byName.has('app.users') && byName.has('app.tags') && byName.has('app.post_tags'), [...byName.keys()].join(', '));
    assert.match(schema.getTreeItem(byName.get('app.tags')).description, /RLS off/);
    assert.match(schema.getTreeItem(byName.get('app.post_tags')).description, /RLS on/);
    const tagRules = byName.get('app.tags').table.findings.map((f) => f.rule).sort();
    assert.deepStrictEqual(tagRules, ['missing-rls', 'policy-without-rls']);
    assert.deepStrictEqual(byName.get('app.post_tags').table.findings.map((f) => f.rule), ['rls-without-policy']);
  });

  test('an unreachable database: its target offers the welcome choices as rows, the other projects stay', async () => {
    const config = vscode.workspace.getConfiguration('pgmig');
    await config.update('targets', { nowhere: { connectionString: 'postgres://nobody@127.0.0.1:1/nothing' } }, vscode.ConfigurationTarget.Workspace);
    try {
      await api.workflow.selectTarget(root, 'nowhere');
      const tree = api.trees.migrations;
      const tops = await tree.getChildren();
      // The sample's other projects (numbered, Drizzle, Alembic, broken-history) are still listed.
      assert.ok(tops.some((n) => n.kind === 'layout'), tops.map((n) => n.kind).join(', '));
      assert.ok(tops.some((n) => n.kind === 'target' && n.root !== root), 'the other graphile project is listed');
      const node = tops.find((n) => n.kind === 'target' && n.root === root && n.target === 'nowhere');
      assert.match(tree.getTreeItem(node).description, /unreachable/);
      const rows = (await tree.getChildren(node)).map((c) => tree.getTreeItem(c));
      assert.match(rows[0].label, /cannot connect to postgres:\/\/nobody@127\.0\.0\.1:1\/nothing: connection refused/);
      assert.deepStrictEqual(rows.slice(1, 5).map((r) => r.label), ['Use the Embedded Database', 'Select Target…', 'Set Database Password…', 'Show Log']);
      // The migrations (read from the files) follow, pending.
      assert.deepStrictEqual(rows.slice(5, 8).map((r) => r.label), SAMPLE_MIGRATIONS);
      assert.strictEqual(tree.view.message, undefined, 'no message: it would hide welcome content');
      const use = rows[1].command;
      await vscode.commands.executeCommand(use.command, ...use.arguments);
      assert.strictEqual(api.workflow.selectedTarget(root), 'embedded');
      const after = await tree.getChildren();
      const embedded = after.find((n) => n.kind === 'target' && n.root === root && n.target === 'embedded');
      assert.ok(embedded && !/unreachable/.test(tree.getTreeItem(embedded).description));
    } finally {
      await api.workflow.selectTarget(root, '');
      await config.update('targets', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('context menu "Apply up to here" applies 000001..000002 only; Migrate: Apply Pending Migrations applies the rest', async () => {
    let t = await treeOf('');
    await vscode.commands.executeCommand('pgmig.applyUpTo', t.migrations[1].node);
    t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['applied', 'applied', 'pending'], api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.match(t.migrations[0].description, /^applied \d{4}-\d\d-\d\d \d\d:\d\d$/);
    const r = await vscode.commands.executeCommand('pgmig.migrate');
    assert.deepStrictEqual(r && r.applied, ['000003-current-user-id.sql'], api.workflow.lastFailure && api.workflow.lastFailure.message);
    t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['applied', 'applied', 'applied']);
    assert.strictEqual((await status('')).pending, 0);
  });

  test('Migrate: Status reports the selected database', async () => {
    const s = await vscode.commands.executeCommand('pgmig.status');
    assert.ok(s && s.database, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.match(s.database, /^embedded database \(\.pgmig\/db\)$/);
    assert.strictEqual(s.pending, 0);
    assert.strictEqual(s.target, '');
  });

  test('CodeLens: Rollback on the latest applied migration (with a down script), then Apply, change the database and the tree', async () => {
    const file = path.join(root, 'migrations', 'committed', '000003-current-user-id.sql');
    fs.writeFileSync(file.replace(/\.sql$/, '.down.sql'), 'drop function app.current_user_id() cascade;\n');
    // The tree follows the new file; the lens follows the status.
    await waitFor('the tree to see the down script', async () => (await treeOf('')).migrations[2].context === 'migration.applied.rollback');
    let lenses = await lensesOf(file, /^Rollback$/);
    assert.ok(lenses.some((l) => /^applied on default \d{4}-/.test(l.command.title)), 'the state is a label');
    await runLens(lenses, 'Rollback');
    let t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['applied', 'applied', 'pending'], api.workflow.lastFailure && api.workflow.lastFailure.message);
    lenses = await lensesOf(file, /^Apply$/);
    assert.ok(lenses.some((l) => l.command.title === 'pending on default'));
    await runLens(lenses, 'Apply');
    t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['applied', 'applied', 'applied'], api.workflow.lastFailure && api.workflow.lastFailure.message);
  });

  test('CodeLens on current.sql: state, Run, Commit and the watch state', async () => {
    const lenses = await lensesOf(path.join(root, 'migrations', 'current.sql'), /^Run$/);
    const titles = lenses.map((l) => l.command.title);
    assert.ok(titles.includes('Commit'), titles.join(' | '));
    assert.ok(titles.some((x) => /^current: (dirty|applied by watch|error|empty)/.test(x)), titles.join(' | '));
    assert.ok(titles.includes('watch: off — Start'), titles.join(' | '));
  });

  test('Migrate: Commit commits current.sql into a file graphile-migrate can read, opens it, and the tree shows it applied', async () => {
    const current = path.join(root, 'migrations', 'current.sql');
    await setText(current, '--!include types/comment_status.sql\n\ncreate table if not exists app.tags (\n  id bigint generated always as identity primary key,\n  name text not null unique\n);\n');
    const r = await vscode.commands.executeCommand('pgmig.commit', { message: 'add tags' });
    assert.ok(r && r.file, `commit returned a file (${api.workflow.lastFailure && api.workflow.lastFailure.message})`);
    assert.strictEqual(path.basename(r.file), '000004-add-tags.sql');
    const text = fs.readFileSync(r.file, 'utf8');
    assert.match(text, /^--! Previous: sha1:874a65e38c0341a1277c0b000228d3eaba694367\n--! Hash: sha1:[0-9a-f]{40}\n--! Message: add tags\n\n/);
    assert.match(text, /--! Included types\/comment_status\.sql/);
    await waitFor('the new file to be the active editor', () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.fsPath === r.file);
    const t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => `${m.name}:${m.state}`), [...SAMPLE_MIGRATIONS, '000004-add-tags.sql'].map((n) => `${n}:applied`));
    assert.match(t.current.item.description, /^empty/);
  });

  test('context menu: Copy Hash and Open Down Script', async () => {
    const t = await treeOf('');
    const node = t.migrations[3].node;
    await vscode.commands.executeCommand('pgmig.copyHash', node);
    assert.strictEqual(await vscode.env.clipboard.readText(), node.item.hash);
    const down = node.item.file.replace(/\.sql$/, '.down.sql');
    fs.writeFileSync(down, 'drop table app.tags;\n');
    try {
      await waitFor('the tree to see the down script', async () => (await treeOf('')).migrations[3].node.item.downFile === down);
      await vscode.commands.executeCommand('pgmig.openDown', (await treeOf('')).migrations[3].node);
      await waitFor('the down script open', () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.fsPath === down);
    } finally {
      fs.rmSync(down, { force: true });
    }
  });

  test('the shadow check (when enabled) shows runtime errors after a save without touching the database', async () => {
    const config = vscode.workspace.getConfiguration('pgmig');
    await config.update('shadowCheck', true, vscode.ConfigurationTarget.Workspace);
    const current = path.join(root, 'migrations', 'current.sql');
    try {
      const doc = await setText(current, '-- shadow\ncreate table if not exists app.shadow_only (id int);\nselect no_such_shadow_column from app.users;\n');
      const d = await waitFor('the shadow-error diagnostic', () =>
        vscode.languages.getDiagnostics(doc.uri).find((x) => String(x.code && x.code.value !== undefined ? x.code.value : x.code) === 'shadow-error'), 30_000);
      assert.strictEqual(d.range.start.line, 2);
      assert.strictEqual(d.range.start.character, 7);
      assert.match(d.message, /no_such_shadow_column/);
      const s = await status('');
      assert.strictEqual(s.current.state, 'dirty', 'the real database did not run current.sql');
    } finally {
      await config.update('shadowCheck', undefined, vscode.ConfigurationTarget.Workspace);
      await setText(current, '-- Enter migration here\n');
    }
  });

  test('watch applies current.sql on save; an SQL error becomes a diagnostic on its line and in the status bar', async () => {
    const current = path.join(root, 'migrations', 'current.sql');
    await vscode.commands.executeCommand('pgmig.watchStart');
    assert.strictEqual((await status('')).watch.on, true);
    const doc = await setText(current, '-- watch test\nselect 1;\nselect no_such_column from app.users;\n');
    const diagnostic = await waitFor('the SQL error diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => String(d.code && d.code.value !== undefined ? d.code.value : d.code) === '42703'), 30_000);
    assert.strictEqual(diagnostic.range.start.line, 2, 'on the line of the bad statement');
    assert.strictEqual(diagnostic.range.start.character, 7, 'at the column PostgreSQL reported');
    assert.match(diagnostic.message, /no_such_column/);
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    await waitFor('the status bar to show the watch error', () => /\$\(error\)/.test(api.statusBar.item.text) && api.statusBar.item.text);
    let s = await status('');
    assert.strictEqual(s.current.state, 'error');
    // Issue 10: a failing current.sql is not run again until a watched file changes (it used to run every second).
    // Watch polls every second: three polls pass, and the last run is still the one that failed.
    const failedAt = s.watch.at;
    assert.ok(failedAt, 'the status says when watch last ran');
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    s = await status('');
    assert.strictEqual(s.watch.at, failedAt, 'watch ran the unchanged, failing current.sql again');
    assert.strictEqual(s.watch.state, 'error');
    // Fixed and saved: applied, the diagnostic goes away.
    await setText(current, '-- watch test\nselect 1;\ncreate table if not exists app.watch_ok (id int primary key);\n');
    await waitFor('the diagnostic to clear', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => String(d.code && d.code.value !== undefined ? d.code.value : d.code) === '42703'), 30_000);
    await waitFor('current.sql applied by watch', async () => (await status('')).current.state === 'applied');
    await waitFor('the status bar to show applied', () => /applied/.test(api.statusBar.item.text) && api.statusBar.item.text);
    assert.match(api.statusBar.item.text, /default · 0 pending/);
    await vscode.commands.executeCommand('pgmig.watchStop');
    s = await status('');
    assert.strictEqual(s.watch.on, false);
  });

  test('Reset Database: refused until the database name is typed, refused for a protected target, then resets', async () => {
    let r = await engine('reset', { target: '' });
    assert.ok(r.error, 'no confirmation: refused');
    assert.match(r.error.message, /type its name 'embedded' to confirm/);
    r = await engine('reset', { target: '', confirm: 'wrong' });
    assert.ok(r.error && /to confirm/.test(r.error.message));
    const config = vscode.workspace.getConfiguration('pgmig');
    await config.update('targets', { default: { protected: true } }, vscode.ConfigurationTarget.Workspace);
    try {
      r = await engine('reset', { target: '', confirm: 'embedded' });
      assert.ok(r.error && /protected/.test(r.error.message), `protected: ${r.error && r.error.message}`);
    } finally {
      await config.update('targets', undefined, vscode.ConfigurationTarget.Workspace);
    }
    r = await engine('reset', { target: '', confirm: 'embedded' });
    assert.ok(!r.error, r.error && r.error.message);
    assert.strictEqual(r.result.applied.length, 4, 'reset migrates again');
    const s = await status('');
    assert.strictEqual(s.current.state, 'dirty', 'the watch-applied current is gone with the database');
  });

  test('an untrusted workspace gets no database command', async () => {
    await client.sendNotification('pgmig/trustChanged', { trusted: false });
    try {
      const r = await waitFor('the refusal', async () => {
        const x = await engine('migrate', {});
        return x.error ? x : undefined;
      });
      assert.match(r.error.message, /untrusted workspace/);
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', vscode.Uri.file(path.join(root, 'migrations', 'current.sql')));
      assert.strictEqual((lenses || []).length, 0, 'no CodeLens');
    } finally {
      await client.sendNotification('pgmig/trustChanged', { trusted: true });
    }
    await waitFor('trusted again', async () => !(await engine('status', {})).error);
  });

  test('Migrate: Dump Schema writes schema.sql and opens it', async () => {
    const r = await vscode.commands.executeCommand('pgmig.dumpSchema');
    assert.ok(r && r.file, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.strictEqual(r.file, path.join(root, 'schema.sql'));
    assert.match(fs.readFileSync(r.file, 'utf8'), /app\.tags/i);
    await waitFor('schema.sql open', () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.fsPath === r.file);
  });

  test('Migrate: Uncommit moves the latest migration back into current.sql (include restored)', async () => {
    // current.sql must be blank to uncommit.
    await setText(path.join(root, 'migrations', 'current.sql'), '-- Enter migration here\n');
    const r = await vscode.commands.executeCommand('pgmig.uncommit');
    assert.ok(r && r.file, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.ok(!fs.existsSync(r.file));
    assert.match(fs.readFileSync(path.join(root, 'migrations', 'current.sql'), 'utf8'), /^--! Message: add tags\n\n--!include types\/comment_status\.sql/);
    const t = await treeOf('');
    assert.deepStrictEqual(t.migrations.map((m) => m.name), SAMPLE_MIGRATIONS);
    // And commit it again for the suites that follow.
    const again = await vscode.commands.executeCommand('pgmig.commit', { message: 'add tags' });
    assert.ok(again && path.basename(again.file) === '000004-add-tags.sql', api.workflow.lastFailure && api.workflow.lastFailure.message);
  });
});

suite('migration workflow: real PostgreSQL', function () {
  suiteSetup(async function () {
    onlyInWorkflowRun(this);
    if (!process.env.PGMIG_TEST_PG_URL) {
      this.test.parent.pgmigSkipReason = 'no PostgreSQL (workflow.test.mjs starts one)';
      this.skip();
    }
    await setup();
  });

  test('Select Target lists the configured targets; the tree shows the PostgreSQL target pending', async () => {
    const targets = await api.workflow.targets(root);
    const names = targets.map((t) => t.name);
    for (const n of ['', 'pg', 'pgpw', 'prod']) assert.ok(names.includes(n), `target '${n}' listed (${names.join(', ')})`);
    assert.strictEqual(targets.find((t) => t.name === 'prod').protected, true);
    await api.workflow.selectTarget(root, 'pg');
    const t = await treeOf('pg');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['pending', 'pending', 'pending', 'pending']);
    assert.match(t.node.info.description, /postgres:\/\/postgres@127\.0\.0\.1:\d+\/app/);
    assert.ok(!/test-secret-pw/.test(t.node.info.description), 'no password in the description');
  });

  test('Migrate: Apply Pending Migrations applies every migration (including the one committed in the editor) on PostgreSQL', async () => {
    const r = await vscode.commands.executeCommand('pgmig.migrate');
    assert.ok(r, api.workflow.lastFailure && api.workflow.lastFailure.message);
    assert.strictEqual(r.applied.length, 4);
    const t = await treeOf('pg');
    assert.deepStrictEqual(t.migrations.map((m) => m.state), ['applied', 'applied', 'applied', 'applied']);
  });

  test('CodeLens Rollback and Apply work on PostgreSQL', async () => {
    const file = path.join(root, 'migrations', 'committed', '000004-add-tags.sql');
    fs.writeFileSync(file.replace(/\.sql$/, '.down.sql'), 'drop table app.tags;\n');
    await waitFor('the down script seen', async () => (await treeOf('pg')).migrations[3].context === 'migration.applied.rollback');
    let lenses = await lensesOf(file, /^Rollback$/);
    await runLens(lenses, 'Rollback');
    assert.deepStrictEqual((await treeOf('pg')).migrations.map((m) => m.state), ['applied', 'applied', 'applied', 'pending'], api.workflow.lastFailure && api.workflow.lastFailure.message);
    lenses = await lensesOf(file, /^Apply$/);
    await runLens(lenses, 'Apply');
    assert.deepStrictEqual((await treeOf('pg')).migrations.map((m) => m.state), ['applied', 'applied', 'applied', 'applied']);
  });

  test('a failed migration is marked "failed at the last attempt"', async () => {
    // A fifth migration that fails on the server: written by hand with a valid hash chain.
    const crypto = require('crypto');
    const committed = path.join(root, 'migrations', 'committed');
    const prev = /--! Hash: (sha1:[0-9a-f]{40})/.exec(fs.readFileSync(path.join(committed, '000004-add-tags.sql'), 'utf8'))[1];
    const body = 'select no_such_function_xyz();\n';
    const hash = 'sha1:' + crypto.createHash('sha1').update(`${prev}\n${body}`).digest('hex');
    const file = path.join(committed, '000005-broken.sql');
    fs.writeFileSync(file, `--! Previous: ${prev}\n--! Hash: ${hash}\n\n${body}`);
    try {
      const r = await vscode.commands.executeCommand('pgmig.migrate');
      assert.strictEqual(r, undefined, 'the command failed');
      assert.match(api.workflow.lastFailure.message, /no_such_function_xyz/);
      const t = await treeOf('pg');
      const m = t.migrations.find((x) => x.name === '000005-broken.sql');
      assert.strictEqual(m.state, 'failed', JSON.stringify(t.migrations.map((x) => x.state)));
      assert.strictEqual(m.description, 'failed at the last attempt');
      const diagnostic = await waitFor('the diagnostic in the committed file', () =>
        vscode.languages.getDiagnostics(vscode.Uri.file(file)).find((d) => /no_such_function_xyz/.test(d.message)));
      assert.strictEqual(diagnostic.range.start.line, 3);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  test('a password typed in the editor (SecretStorage) reaches the database; protected targets refuse reset', async () => {
    let s = await api.workflow.status(root, 'pgpw');
    assert.ok(s.error && /password/i.test(s.error.message), `without the password: ${s.error && s.error.message}`);
    assert.ok(!s.reachable);
    await api.workflow.passwords.store(root, 'pgpw', process.env.PGMIG_TEST_PG_PASSWORD);
    s = await api.workflow.status(root, 'pgpw');
    assert.ok(!s.error, s.error && s.error.message);
    assert.ok(s.reachable);
    assert.strictEqual(s.migrations.length, 4, 'its (unmigrated) database answers');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('pgmig').get('targets'));
    assert.ok(!settings.includes(process.env.PGMIG_TEST_PG_PASSWORD), 'the password is not in the settings');
    const r = await engine('reset', { target: 'prod', confirm: 'app' });
    assert.ok(r.error && /protected/.test(r.error.message), r.error && r.error.message);
  });

  test('cancel stops a migrate between two migrations (each is its own transaction)', async () => {
    const crypto = require('crypto');
    const committed = path.join(root, 'migrations', 'committed');
    const hashOf = (prev, body) => 'sha1:' + crypto.createHash('sha1').update(`${prev}\n${body}`).digest('hex');
    const prev = /--! Hash: (sha1:[0-9a-f]{40})/.exec(fs.readFileSync(path.join(committed, '000004-add-tags.sql'), 'utf8'))[1];
    // no-transaction: the engine sends consecutive transactional migrations in one batch (cancel is checked between
    // batches); this one runs alone, and the cancel arrives while it sleeps.
    const slowBody = '--! no-transaction\nselect pg_sleep(1.5);\n';
    const slowHash = hashOf(prev, slowBody);
    const afterBody = 'create table app.after_cancel (id int);\n';
    const files = [path.join(committed, '000005-slow.sql'), path.join(committed, '000005-slow.down.sql'), path.join(committed, '000006-after.sql')];
    fs.writeFileSync(files[0], `--! Previous: ${prev}\n--! Hash: ${slowHash}\n\n${slowBody}`);
    fs.writeFileSync(files[1], 'select 1;\n');
    fs.writeFileSync(files[2], `--! Previous: ${slowHash}\n--! Hash: ${hashOf(slowHash, afterBody)}\n\n${afterBody}`);
    try {
      // What the progress notification's Cancel does: cancel the request's token.
      const source = new vscode.CancellationTokenSource();
      const pending = client.sendRequest('workspace/executeCommand', { command: 'pgmig.engine.migrate', arguments: [{ root, target: 'pg' }] }, source.token);
      setTimeout(() => source.cancel(), 800);
      await assert.rejects(pending);
      const t = await treeOf('pg');
      assert.deepStrictEqual(t.migrations.slice(4).map((m) => `${m.name}:${m.state}`), ['000005-slow.sql:applied', '000006-after.sql:pending']);
      const r = await engine('rollback', { target: 'pg', to: 4 });
      assert.ok(!r.error, r.error && r.error.message);
    } finally {
      for (const f of files) fs.rmSync(f, { force: true });
    }
  });

  test('a committed file edited after it was applied is marked "changed after apply"', async () => {
    const file = path.join(root, 'migrations', 'committed', '000002-posts.sql');
    const original = fs.readFileSync(file, 'utf8');
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, original + '\n-- edited after commit\n');
    try {
      const t = await waitFor('the changed state', async () => {
        const x = await treeOf('pg');
        return x.migrations[1].state === 'changed' ? x : undefined;
      });
      assert.strictEqual(t.migrations[1].description, 'changed after apply');
      assert.match(t.migrations[1].tooltip, /edited after it was committed/);
    } finally {
      fs.writeFileSync(file, original);
    }
    await waitFor('applied again', async () => (await treeOf('pg')).migrations[1].state === 'applied');
  });

  test('Init Target migrates a pgmig.json target, sets its pgSettings and runs its seeds', async () => {
    fs.mkdirSync(path.join(root, 'seeds'), { recursive: true });
    fs.writeFileSync(path.join(root, 'seeds', 'staging.sql'), "insert into app.tags (name) values ('seeded');\n");
    const pgmigJson = path.join(root, 'pgmig.json');
    const original = fs.readFileSync(pgmigJson, 'utf8');
    fs.writeFileSync(pgmigJson, JSON.stringify({
      excludedSchemas: ['graphile_migrate', 'pg_catalog', 'information_schema', 'app_private'],
      targets: { staging: { urlEnv: 'PGMIG_TEST_STAGING_URL', pgSettings: { 'app.environment': 'staging' }, seeds: ['seeds/staging.sql'] } },
    }, null, 2));
    try {
      const targets = await api.workflow.targets(root);
      const staging = targets.find((t) => t.name === 'staging');
      assert.ok(staging, targets.map((t) => t.name).join(', '));
      assert.match(staging.description, /^pgmig\.json: postgres:\/\/postgres@127\.0\.0\.1:\d+\/staging \(\$PGMIG_TEST_STAGING_URL\)$/);
      const r = await engine('initTarget', { target: 'staging' });
      assert.ok(!r.error, r.error && r.error.message);
      assert.strictEqual(r.result.migrated.applied.length, 4);
      assert.deepStrictEqual(r.result.seeds, ['seeds/staging.sql']);
      const s = await status('staging');
      assert.deepStrictEqual(s.migrations.map((m) => m.state), ['applied', 'applied', 'applied', 'applied']);
    } finally {
      fs.writeFileSync(pgmigJson, original);
    }
  });

  test('Reset Database on PostgreSQL (name typed) drops and migrates again', async () => {
    // Reset drops the database through the root connection: the user adds ROOT_DATABASE_URL to the project's .env
    // (pgmig.envFile's default) for it, read by the command that needs it.
    let r;
    const envFile = path.join(root, '.env');
    fs.writeFileSync(envFile, `ROOT_DATABASE_URL=${process.env.PGMIG_TEST_ROOT_URL}\n`);
    try {
      r = await engine('reset', { target: 'pg', confirm: 'app' });
      assert.ok(!r.error, r.error && r.error.message);
      assert.strictEqual(r.result.applied.length, 4);
    } finally {
      fs.rmSync(envFile, { force: true });
    }
    await api.workflow.selectTarget(root, '');
  });
});
