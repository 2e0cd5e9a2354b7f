// Diagnostics, quick fixes, document links, definition and hover from the real language server, on a copy of
// migrations-sample/. The expected findings are the CLI's own output for every project in the workspace copy
// (cliFindings.js runs `pgmig lint --format json --root <project>` at test time), so the editor and the CLI must agree.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { RULE_IDS, waitFor, workspaceRoot, runningClient, codeOf } = require('./helpers');
const { cliFindings, projectRoots } = require('./cliFindings');
const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};
const SEVERITY_NAME = Object.fromEntries(Object.entries(SEVERITY).map(([name, value]) => [value, name]));

/** One comparable line per finding: `file:line:col-endLine:endCol severity rule message` (1-based, CLI style). */
function findingKey(file, range, severity, rule, message) {
  const { start, end } = range;
  return `${file}:${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1} ${severity} ${rule} ${message}`;
}

function expectedFindings() {
  return cliFindings(workspaceRoot().fsPath).map((f) =>
    findingKey(f.file, { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.endLine - 1, character: f.endColumn - 1 } }, f.severity, f.rule, f.message)).sort();
}

function actualFindings() {
  const root = workspaceRoot().fsPath;
  const keys = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (uri.scheme !== 'file' || !uri.fsPath.startsWith(root + path.sep)) continue;
    const file = path.relative(root, uri.fsPath).split(path.sep).join('/');
    for (const d of diagnostics) keys.push(findingKey(file, d.range, SEVERITY_NAME[d.severity], codeOf(d), d.message));
  }
  return keys.sort();
}

/** Resolves when the server has no analysis queued or running (its `pgmig/waitIdle` request). */
async function serverIdle() {
  const client = await runningClient();
  return client.sendRequest('pgmig/waitIdle');
}

function sampleUri(...segments) {
  return vscode.Uri.joinPath(workspaceRoot(), ...segments);
}

async function open(...segments) {
  const document = await vscode.workspace.openTextDocument(sampleUri(...segments));
  await vscode.window.showTextDocument(document);
  return document;
}

suite('diagnostics and language features on migrations-sample', () => {
  test('the workspace diagnostics are exactly the CLI findings (pgmig lint on every project)', async () => {
    await serverIdle();
    const expected = expectedFindings();
    // Every sample project is in the comparison (a scan that found nothing would compare nothing).
    const projects = projectRoots(workspaceRoot().fsPath).map((r) => path.relative(workspaceRoot().fsPath, r) || '.').sort();
    for (const project of ['.', 'alembic', 'broken-history', 'drizzle', 'numbered']) assert.ok(projects.includes(project), `project ${project} found (found: ${projects.join(', ')})`);
    for (const project of ['migrations/', 'broken-history/', 'numbered/', 'drizzle/', 'alembic/']) {
      assert.ok(expected.some((key) => key.startsWith(project)), `the CLI reports findings in ${project}`);
    }
    let actual = [];
    try {
      await waitFor('the diagnostics to match the CLI findings', () => {
        actual = actualFindings();
        return JSON.stringify(actual) === JSON.stringify(expected);
      }, 20_000);
    } catch {
      assert.deepStrictEqual(actual, expected); // shows the difference
    }
    for (const key of actual) assert.ok(RULE_IDS.includes(key.split(' ')[2]), `known rule id in ${key}`);
  });

  test('pgmig.rules in the settings turns a rule off, changes its severity, and the default comes back', async () => {
    const document = await open('migrations', 'current.sql');
    const configuration = () => vscode.workspace.getConfiguration('pgmig', document.uri);
    const finding = () => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'rls-without-policy' && d.range.start.line === 25);
    assert.strictEqual((await waitFor('rls-without-policy on current.sql:26', finding)).severity, vscode.DiagnosticSeverity.Warning);
    try {
      await configuration().update('rules', { 'rls-without-policy': 'off' }, vscode.ConfigurationTarget.Workspace);
      await waitFor('rls-without-policy to be turned off', () => !finding());
      await configuration().update('rules', { 'rls-without-policy': 'error' }, vscode.ConfigurationTarget.Workspace);
      await waitFor('rls-without-policy as an error', () => finding() && finding().severity === vscode.DiagnosticSeverity.Error);
    } finally {
      await configuration().update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('rls-without-policy back as a warning', () => finding() && finding().severity === vscode.DiagnosticSeverity.Warning);
  });

  test('the quick fix for ADD COLUMN (current.sql:10) adds IF NOT EXISTS and clears the finding', async () => {
    const document = await open('migrations', 'current.sql');
    const line = 9; // current.sql:10
    const diagnostic = await waitFor('non-idempotent-statement on current.sql:10', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'non-idempotent-statement' && d.range.start.line === line));
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    // vscode.executeCodeActionProvider drops CodeAction.diagnostics; the safe fix is the preferred one.
    const fix = actions.find((a) => a.isPreferred && a.edit);
    assert.ok(fix, `a preferred quick fix with an edit among: ${JSON.stringify(actions.map((a) => ({ title: a.title, preferred: a.isPreferred, edit: !!a.edit })))}`);
    assert.match(fix.title, /IF NOT EXISTS/i);
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'quick fix applied');
    assert.match(document.lineAt(line).text, /^alter table app\.users add column if not exists display_name text;$/i);
    await serverIdle();
    await waitFor('the finding on current.sql:10 to go away', () =>
      !vscode.languages.getDiagnostics(document.uri).some((d) => codeOf(d) === 'non-idempotent-statement' && d.range.start.line === line));
    await vscode.commands.executeCommand('undo');
    assert.match(document.lineAt(line).text, /^alter table app\.users add column display_name text;$/);
  });

  test('--!include paths are document links to their fixtures', async () => {
    const document = await open('migrations', 'current.sql');
    const links = await waitFor('document links', async () => {
      // 10 = resolve up to 10 links, in case the server fills targets in lazily.
      const found = await vscode.commands.executeCommand('vscode.executeLinkProvider', document.uri, 10);
      return found && found.length >= 4 && found;
    });
    const expected = ['types/comment_status.sql', 'tables/comments.sql', 'rls/comments.sql', 'functions/post_excerpt.sql'];
    expected.forEach((fixture, i) => {
      const line = 3 + i; // current.sql:4..7
      const link = links.find((l) => l.range.start.line === line);
      assert.ok(link, `a link on current.sql:${line + 1}`);
      assert.deepStrictEqual([link.range.start.character, link.range.end.character], [11, 11 + fixture.length], `link range on line ${line + 1}`);
      assert.ok(link.target && link.target.path.endsWith(`/migrations/fixtures/${fixture}`), `link target ${link.target}`);
    });
  });

  test('go to definition on an include path opens the fixture', async () => {
    const document = await open('migrations', 'current.sql');
    const locations = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', document.uri, new vscode.Position(4, 15));
    assert.ok(locations && locations.length > 0, 'a definition');
    const uri = locations[0].targetUri || locations[0].uri;
    assert.ok(uri.path.endsWith('/migrations/fixtures/tables/comments.sql'), `definition ${uri}`);
  });

  test('hovering an include path describes the fixture', async () => {
    const document = await open('migrations', 'current.sql');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, new vscode.Position(4, 15));
    const text = (hovers || []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /tables\/comments\.sql/);
  });

  test('typing a missing include updates the diagnostics live, and undo clears them', async () => {
    const document = await open('migrations', 'current.sql');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(7, 0), '--!include pgmig_missing_fixture.sql\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const onLine = () => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'include-not-found' && d.range.start.line === 7);
    const diagnostic = await waitFor('include-not-found on the typed line', onLine);
    assert.deepStrictEqual([diagnostic.range.start.character, diagnostic.range.end.character], [11, 11 + 'pgmig_missing_fixture.sql'.length]);
    await vscode.commands.executeCommand('undo');
    await waitFor('include-not-found to go away after undo', () => !onLine());
    assert.ok(!document.isDirty, 'back to the saved text');
  });
});
