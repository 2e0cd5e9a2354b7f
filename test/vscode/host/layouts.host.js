// Issue 6 in a real VS Code: the Migrations tree and the CodeLens for the sample projects of the other layouts
// (numbered/, drizzle/, alembic/ in migrations-sample/), served by the language server from core/layouts. Numbered
// and Drizzle run against each project's embedded database (.pgmig/db of the workspace copy): pending -> the Apply
// lens applies -> applied -> the Roll back lens rolls back; an applied file edited afterwards is "changed" with an
// applied-migration-edited diagnostic. Alembic: the graph's heads, and no database read but the one alembic uses
// (the sample's env.py reads DATABASE_URL, unset here: the tree says it cannot tell, and no embedded database is
// created for it), and its lenses, whose command lines run in a terminal. Data migrations appear
// next to the schema migrations, grouped by schema, with lenses that run the project's scripts.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { waitFor, workspaceRoot, activeApi, runningClient, codeOf } = require('./helpers');

let api;
let client;
let workspace;

async function setup() {
  api = await activeApi();
  client = await runningClient();
  workspace = fs.realpathSync(workspaceRoot().fsPath);
  await waitFor('the server to know the layout projects', async () => {
    const layouts = (await client.sendRequest('pgmig/projects')).layouts || [];
    return ['numbered', 'drizzle', 'alembic'].every((name) => layouts.some((l) => l.root === path.join(workspace, name)));
  }, 30_000);
}

/** The Migrations view's node for a layout project, with its children as tree items. */
async function layoutTree(name) {
  const tree = api.trees.migrations;
  const root = path.join(workspace, name);
  const tops = await tree.getChildren();
  const node = tops.find((n) => n.kind === 'layout' && n.root === root);
  assert.ok(node, `the tree has a node for ${name} (has: ${tops.map((n) => `${n.kind}:${n.root}`).join(', ')})`);
  const children = await tree.getChildren(node);
  const items = children.map((c) => ({ node: c, item: tree.getTreeItem(c) }));
  return {
    node,
    label: tree.getTreeItem(node).label,
    description: tree.getTreeItem(node).description,
    tooltip: tree.getTreeItem(node).tooltip,
    migrations: items.filter((x) => x.node.kind === 'layoutMigration').map((x) => ({ name: x.item.label, state: x.node.item.state, description: x.item.description, item: x.node.item })),
    infos: Object.fromEntries(items.filter((x) => x.node.kind === 'layoutInfo').map((x) => [x.item.label, x.item.description])),
    // A message row's label is its first 120 characters; the tooltip holds all of it.
    messages: items.filter((x) => x.node.kind === 'message').map((x) => x.item.tooltip),
    messageLabels: items.filter((x) => x.node.kind === 'message').map((x) => x.item.label),
    async dataSchemas() {
      const out = {};
      for (const x of items.filter((i) => i.node.kind === 'dataSchema')) {
        out[x.node.schema.schema] = (await tree.getChildren(x.node)).map((c) => `${tree.getTreeItem(c).label} ${c.item.state}`);
      }
      return out;
    },
  };
}

const states = (t) => t.migrations.map((m) => `${m.name} ${m.state}`);

async function lensesOf(file, wanted) {
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return waitFor(`CodeLens ${wanted} on ${path.basename(file)}`, async () => {
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
    const titles = (lenses || []).map((l) => l.command && l.command.title);
    return titles.some((t) => wanted.test(t || '')) ? lenses : undefined;
  }, 30_000);
}

function lensTitled(lenses, title) {
  const lens = lenses.find((l) => l.command && l.command.title === title);
  assert.ok(lens, `a '${title}' lens (have: ${lenses.map((l) => l.command && l.command.title).join(' | ')})`);
  return lens;
}

async function runLens(lenses, title) {
  const lens = lensTitled(lenses, title);
  return vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
}

/** Waits until the tree shows `expected` (the states refresh after a command). */
async function treeStates(name, expected) {
  let last;
  try {
    await waitFor(`${name}'s tree to show ${expected.join(', ')}`, async () => {
      last = states(await layoutTree(name));
      return JSON.stringify(last) === JSON.stringify(expected);
    }, 30_000);
  } catch {
    assert.deepStrictEqual(last, expected);
  }
}

suite('other layouts: tree and CodeLens', function () {
  suiteSetup(setup);
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('numbered: the tree shows pending, Apply up to here applies, the tree shows applied, Roll back rolls back', async () => {
    const dir = path.join(workspace, 'numbered', 'migrations');
    const files = ['001_create_platform_schema.sql', '002_create_invoices.sql', '003_invoice_status.sql', '004_drop_invoice_notes.sql'];
    const tree = await layoutTree('numbered');
    assert.strictEqual(tree.label, 'numbered · numbered');
    // Reading status created nothing: the row says so, as the graphile rows do (issue 10).
    assert.strictEqual(tree.description, 'no database yet: 4 pending · embedded database');
    assert.match(tree.tooltip, /no database yet: the first command that writes/);
    assert.ok(!fs.existsSync(path.join(workspace, 'numbered', '.pgmig')), 'a read created .pgmig/');
    assert.deepStrictEqual(states(tree), files.map((f) => `${f} pending`));
    assert.deepStrictEqual(tree.messages, []);

    let lenses = await lensesOf(path.join(dir, files[1]), /^pending on default$/);
    assert.deepStrictEqual(lenses.map((l) => l.command.title), ['pending on default', 'Apply up to here', 'Open down script']);
    await runLens(lenses, 'Apply up to here');
    await treeStates('numbered', [`${files[0]} applied`, `${files[1]} applied`, `${files[2]} pending`, `${files[3]} pending`]);
    assert.strictEqual((await layoutTree('numbered')).description, 'embedded database · 2 pending');
    // It says when it is done (issue 10).
    assert.match(api.workflow.lastDone || '', /^pgmig: applied 001_create_platform_schema\.sql, 002_create_invoices\.sql$/);
    const applied = (await layoutTree('numbered')).migrations[1];
    assert.match(applied.description, /^applied \d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.ok(applied.item.canRollback, 'the latest applied migration with a down script can be rolled back');

    lenses = await lensesOf(path.join(dir, files[1]), /^applied on default/);
    assert.deepStrictEqual(lenses.map((l) => l.command.title).slice(1), ['Roll back this and later', 'Open down script']);
    await runLens(lenses, 'Roll back this and later');
    await treeStates('numbered', [`${files[0]} applied`, `${files[1]} pending`, `${files[2]} pending`, `${files[3]} pending`]);
    await lensesOf(path.join(dir, files[1]), /^pending on default$/);
  });

  test('numbered: an applied migration edited afterwards is "changed" with an applied-migration-edited diagnostic', async () => {
    const file = path.join(workspace, 'numbered', 'migrations', '001_create_platform_schema.sql');
    const original = fs.readFileSync(file, 'utf8');
    const edited = () => vscode.languages.getDiagnostics(vscode.Uri.file(file)).find((d) => codeOf(d) === 'applied-migration-edited');
    try {
      fs.writeFileSync(file, original + '\n-- edited after apply\n');
      await waitFor('001 to show as changed', async () => (await layoutTree('numbered')).migrations[0].state === 'changed', 30_000);
      const diagnostic = await waitFor('an applied-migration-edited diagnostic on 001', edited);
      assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
      assert.strictEqual(diagnostic.range.start.line, 0);
    } finally {
      fs.writeFileSync(file, original);
    }
    await waitFor('001 to be applied again', async () => (await layoutTree('numbered')).migrations[0].state === 'applied', 30_000);
    await waitFor('the applied-migration-edited diagnostic to go', () => !edited());
  });

  test('numbered: data migrations are in the tree grouped by schema, and their lenses run the project scripts in a terminal', async () => {
    const tree = await layoutTree('numbered');
    assert.deepStrictEqual(await tree.dataSchemas(), {
      billing: ['0001_currency_defaults pending'],
      platform: ['0001_seed_accounts pending', '0002_backfill_invoice_status pending'],
    });
    const root = path.join(workspace, 'numbered');
    const file = path.join(root, 'src', 'data-migrations', 'platform', '0001_seed_accounts.ts');
    const lenses = await lensesOf(file, /^Run data migrations of platform$/);
    const run = lensTitled(lenses, 'Run data migrations of platform');
    assert.strictEqual(run.command.command, 'pgmig.runInTerminal');
    assert.deepStrictEqual([run.command.arguments[0].commandLine, run.command.arguments[0].cwd], ['npm run data:migrate -- platform', root]);
    const reset = lensTitled(lenses, 'Reset data migrations');
    assert.strictEqual(reset.command.arguments[0].commandLine, 'npm run data:reset');
  });

  test('drizzle: pending, Apply up to here, applied, Roll back this and later', async () => {
    const dir = path.join(workspace, 'drizzle', 'drizzle');
    const files = ['0000_init_users.sql', '0001_add_posts.sql', '0002_review_points.sql'];
    const tree = await layoutTree('drizzle');
    assert.strictEqual(tree.label, 'drizzle · drizzle');
    assert.deepStrictEqual(states(tree), files.map((f) => `${f} pending`));

    let lenses = await lensesOf(path.join(dir, files[1]), /^pending on default$/);
    await runLens(lenses, 'Apply up to here');
    await treeStates('drizzle', [`${files[0]} applied`, `${files[1]} applied`, `${files[2]} pending`]);
    lenses = await lensesOf(path.join(dir, files[1]), /^applied on default/);
    await runLens(lenses, 'Roll back this and later');
    await treeStates('drizzle', [`${files[0]} applied`, `${files[1]} pending`, `${files[2]} pending`]);
    // The first migration has no down script: no Roll back lens.
    lenses = await lensesOf(path.join(dir, files[0]), /^applied on default/);
    assert.ok(!lenses.some((l) => l.command.title === 'Roll back this and later'), 'no rollback without a down script');
  });

  test('alembic: the tree shows the graph heads and the current revision; the lenses carry alembic command lines', async () => {
    const root = path.join(workspace, 'alembic');
    const tree = await layoutTree('alembic');
    assert.strictEqual(tree.label, 'alembic · alembic');
    // Alembic owns its database: with env.py's DATABASE_URL unset, the tree says so rather than reading another one.
    assert.deepStrictEqual(tree.infos, { heads: '3c3d2e4f5a6b, 4d4e3f5a6b7c' });
    assert.deepStrictEqual(tree.messages, ['cannot tell which database alembic uses: env.py takes the database URL from $DATABASE_URL, which is not set; set sqlalchemy.url in alembic.ini (or the variable env.py reads)']);
    assert.strictEqual(tree.messageLabels[0], `${tree.messages[0].slice(0, 119)}…`);
    assert.ok(!fs.existsSync(path.join(root, '.pgmig')), 'no embedded database created for an alembic project');

    const file = path.join(root, 'alembic', 'versions', '2b2e1d3c4b5a_add_invoices.py');
    const lenses = await lensesOf(file, /^Upgrade to here$/);
    const commands = Object.fromEntries(['Upgrade to here', 'Downgrade to here', 'Upgrade head', 'Show SQL'].map((title) => {
      const lens = lensTitled(lenses, title);
      assert.strictEqual(lens.command.command, 'pgmig.runInTerminal');
      assert.strictEqual(lens.command.arguments[0].cwd, root);
      return [title, lens.command.arguments[0].commandLine];
    }));
    assert.deepStrictEqual(commands, {
      'Upgrade to here': 'alembic upgrade 2b2e1d3c4b5a',
      'Downgrade to here': 'alembic downgrade 2b2e1d3c4b5a',
      'Upgrade head': 'alembic upgrade heads',
      'Show SQL': 'alembic upgrade 1a1f0c2d3e4f:2b2e1d3c4b5a --sql', // from its parent to it
    });
    // The lens's line is the revision assignment.
    const revisionLine = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => /^revision\b/.test(l));
    assert.strictEqual(lensTitled(lenses, 'Show SQL').range.start.line, revisionLine);

    // Running one opens a terminal in the project folder.
    const opened = new Promise((resolve) => {
      const sub = vscode.window.onDidOpenTerminal((t) => {
        sub.dispose();
        resolve(t);
      });
    });
    await runLens(lenses, 'Show SQL');
    const terminal = await opened;
    assert.strictEqual(terminal.name, 'pgmig: Show SQL');
    assert.strictEqual(path.resolve(String(terminal.creationOptions.cwd)), root);
    terminal.dispose();
  });

  // Issue 12 item 6 as the tree shows it: a layout's note on a row (here out-of-order application) is a warning icon,
  // the note in the description and in the tooltip; rollback undoes the migration applied last.
  test('numbered: a migration numbered below an applied one is marked out of order, before and after it is applied', async () => {
    const root = path.join(workspace, 'numbered');
    const dir = path.join(root, 'migrations');
    const written = ['006_late_tags.sql', 'rollback-006.sql', '005_early_flags.sql', 'rollback-005.sql'].map((f) => path.join(dir, f));
    const rowOf = async (name) => {
      const tree = api.trees.migrations;
      const layout = (await tree.getChildren()).find((n) => n.kind === 'layout' && n.root === root);
      const node = (await tree.getChildren(layout)).find((c) => c.kind === 'layoutMigration' && c.item.name === name);
      return node && { node, item: tree.getTreeItem(node) };
    };
    try {
      fs.writeFileSync(written[0], 'create table platform.late_tags (id int primary key);\n');
      fs.writeFileSync(written[1], 'drop table platform.late_tags;\n');
      await waitFor('006 in the tree', () => rowOf('006_late_tags.sql'), 30_000);
      await api.workflow.run('layoutMigrate', { root, target: '' });
      await waitFor('006 applied', async () => (await rowOf('006_late_tags.sql')).node.item.state === 'applied', 30_000);

      // A 005 added after 006 was applied (a branch merged late).
      fs.writeFileSync(written[2], 'create table platform.early_flags (id int primary key);\n');
      fs.writeFileSync(written[3], 'drop table platform.early_flags;\n');
      let row = await waitFor('005 in the tree with a note', async () => ((await rowOf('005_early_flags.sql'))?.node.item.note ? rowOf('005_early_flags.sql') : undefined), 30_000);
      assert.strictEqual(row.node.item.state, 'pending');
      assert.match(row.node.item.note, /^out of order: 005_early_flags\.sql is numbered before 006_late_tags\.sql, which is already applied/);
      assert.strictEqual(row.item.description, `pending · ${row.node.item.note}`);
      assert.strictEqual(row.item.iconPath.id, 'warning');
      assert.ok(row.item.tooltip.value.includes(row.node.item.note), row.item.tooltip.value);
      // A row without a note keeps its state's icon.
      assert.strictEqual((await rowOf('006_late_tags.sql')).item.iconPath.id, 'pass-filled');

      await api.workflow.run('layoutMigrate', { root, target: '' });
      row = await waitFor('005 applied, marked applied out of order', async () => {
        const r = await rowOf('005_early_flags.sql');
        return r.node.item.state === 'applied' && /^applied out of order/.test(r.node.item.note || '') && r;
      }, 30_000);
      assert.match(row.node.item.note, /^applied out of order: after 006_late_tags\.sql/);
      assert.match(row.item.description, /^applied .* · applied out of order: after 006_late_tags\.sql/);
      assert.strictEqual(row.item.iconPath.id, 'warning');
      // The editor's lint of the file says so too (the status is the database's: `pgmig lint` alone cannot see it).
      const outOfOrder = () => vscode.languages.getDiagnostics(vscode.Uri.file(written[2])).find((d) => codeOf(d) === 'migration-out-of-order');
      const diagnostic = await waitFor('a migration-out-of-order diagnostic on 005', outOfOrder);
      assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
      assert.strictEqual(diagnostic.range.start.line, 0);
      assert.match(diagnostic.message, /^applied out of order: after 006_late_tags\.sql/);

      // Rollback undoes 005, the one applied last, not 006.
      await api.workflow.run('layoutRollback', { root, target: '' });
      assert.match(api.workflow.lastDone || '', /^pgmig: rolled back 005_early_flags\.sql$/);
      await waitFor('005 pending, 006 applied', async () => (await rowOf('005_early_flags.sql')).node.item.state === 'pending' && (await rowOf('006_late_tags.sql')).node.item.state === 'applied', 30_000);
      await api.workflow.run('layoutRollback', { root, target: '' });
      assert.match(api.workflow.lastDone || '', /^pgmig: rolled back 006_late_tags\.sql$/);
    } finally {
      for (const f of written) fs.rmSync(f, { force: true });
    }
  });
});

// With the PostgreSQL workflow.test.mjs starts: the current revision comes from a real alembic_version table.
suite('migration workflow: Alembic current revision on PostgreSQL', function () {
  let pgClient;
  const root = () => path.join(workspace, 'alembic');
  suiteSetup(async function () {
    if (process.env.PGMIG_WORKFLOW_TESTS !== '1' || !process.env.PGMIG_TEST_PG_URL) {
      this.test.parent.pgmigSkipReason = 'run by test/vscode/workflow.test.mjs (it starts PostgreSQL)';
      this.skip();
    }
    await setup();
    const { Client } = require(path.join(__dirname, '..', '..', '..', 'node_modules', 'pg'));
    pgClient = new Client({ connectionString: process.env.PGMIG_TEST_PG_URL });
    await pgClient.connect();
    await pgClient.query('create table public.alembic_version (version_num varchar(32) primary key)');
    await pgClient.query("insert into public.alembic_version values ('3c3d2e4f5a6b')");
    // alembic's database is the one its env.py reads: here the variable that holds the test database's URL.
    envPy = path.join(root(), 'alembic', 'env.py');
    envPyText = fs.readFileSync(envPy, 'utf8');
    fs.writeFileSync(envPy, envPyText.replace('os.environ.get("DATABASE_URL", "")', 'os.environ.get("PGMIG_TEST_PG_URL", "")'));
  });
  suiteTeardown(async () => {
    if (!pgClient) return;
    fs.writeFileSync(envPy, envPyText);
    await pgClient.query('drop table if exists public.alembic_version');
    await pgClient.end();
  });
  let envPy;
  let envPyText;

  test('the tree shows the revision alembic_version holds, its ancestors applied, the other head pending', async () => {
    api.workflow.fireChanged();
    const tree = await waitFor('the alembic status from its database', async () => {
      const t = await layoutTree('alembic');
      return t.infos['current revision'] ? t : undefined;
    }, 30_000);
    assert.deepStrictEqual(tree.infos, { heads: '3c3d2e4f5a6b, 4d4e3f5a6b7c', 'current revision': '3c3d2e4f5a6b' });
    assert.deepStrictEqual(tree.migrations.map((m) => `${m.item.id} ${m.state}${m.item.current ? ' current' : ''}`), [
      '1a1f0c2d3e4f applied', '2b2e1d3c4b5a applied', '3c3d2e4f5a6b applied current', '4d4e3f5a6b7c pending',
    ]);
    assert.match(tree.node.status.database, /postgres(?:ql)?:\/\/postgres@127\.0\.0\.1:\d+\/app/);
  });
});
