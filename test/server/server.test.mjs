// The language server driven by a real LSP client over stdio (`node dist/server.js --stdio`), on a temp
// graphile-migrate project: diagnostics, code actions, navigation, file events, settings.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-languageserver-protocol/node';
import { spawnSync } from 'node:child_process';
import { applyEdits, editsByFile, LspClient, repoRoot, uriOf } from './lspClient.mjs';
import { CURRENT, makeProject } from './sampleProject.mjs';

const DOCS = 'https://github.com/pgmig/pgmig/blob/main/README.md#rule-';

/** LSP position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
function pos(text, needle, delta = 0, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `${needle} not found`);
  i += delta;
  const before = text.slice(0, i);
  return { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 };
}
const range = (text, needle, nth = 0) => ({ start: pos(text, needle, 0, nth), end: pos(text, needle, needle.length, nth) });
const codes = (diagnostics) => diagnostics.map((d) => d.code).sort();

describe('language server on a graphile-migrate project', () => {
  let p;
  let client;
  let uri;

  before(async () => {
    p = makeProject();
    client = await LspClient.start({ rootDir: p.root });
    uri = client.open(p.current);
    await client.waitIdle();
  });
  after(async () => {
    await client?.stop();
    rmSync(p.root, { recursive: true, force: true });
  });

  test('initialize announces the features', () => {
    const caps = client.capabilities;
    assert.ok(caps.codeActionProvider.codeActionKinds.includes('quickfix'));
    assert.ok(caps.codeActionProvider.codeActionKinds.includes('source.fixAll.pgmig'));
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.deepEqual(caps.completionProvider.triggerCharacters, [' ', '/']);
    assert.ok(caps.documentLinkProvider);
  });

  test('diagnostics of current.sql: exact ranges, rule code, documentation link, related information', async () => {
    const diagnostics = await client.waitForDiagnostics(p.current, (d) => d.length > 0);
    assert.deepEqual(codes(diagnostics), ['missing-lock-timeout', 'non-idempotent-statement', 'unindexed-foreign-key']);
    const fk = diagnostics.find((d) => d.code === 'unindexed-foreign-key');
    assert.deepEqual(fk.range, range(CURRENT, 'REFERENCES app_users (id)'));
    assert.equal(fk.source, 'pgmig');
    assert.equal(fk.severity, 2);
    assert.equal(fk.codeDescription.href, DOCS + 'unindexed-foreign-key');
    assert.match(fk.message, /posts \(author_id\)/);
    assert.equal(fk.relatedInformation.length, 1);
    assert.equal(fk.relatedInformation[0].location.uri, uri);
    assert.deepEqual(fk.relatedInformation[0].location.range, range(CURRENT, 'CREATE TABLE IF NOT EXISTS posts'));
    const policy = diagnostics.find((d) => d.code === 'non-idempotent-statement');
    assert.deepEqual(policy.range, range(CURRENT, 'CREATE POLICY read_posts ON posts USING (true)'));
    assert.equal(policy.severity, 1);
  });

  test("a fixture's and a committed file's findings are published while only current.sql is open", async () => {
    const helpers = await client.waitForDiagnostics(p.helpers, (d) => d.length > 0);
    const text = readFileSync(p.helpers, 'utf8');
    assert.deepEqual(codes(helpers), ['non-idempotent-statement', 'non-idempotent-statement']);
    assert.deepEqual(helpers.map((d) => d.range.start).sort((a, b) => a.line - b.line), [pos(text, 'CREATE TABLE helper_log'), pos(text, 'CREATE POLICY helper_all')]);
    const committed = await client.waitForDiagnostics(p.committed2, (d) => d.length > 0);
    assert.deepEqual(codes(committed), ['missing-rls']);
    const committedText = readFileSync(p.committed2, 'utf8');
    assert.deepEqual(committed[0].range, range(committedText, 'CREATE TABLE audit_log'));
    // Clean files get nothing (or an empty list), never stale findings.
    assert.deepEqual(client.diagnostics.get(uriOf(p.committed1))?.diagnostics ?? [], []);
  });

  test('document links, hover and go to definition on --!include', async () => {
    const links = await client.request('textDocument/documentLink', { textDocument: { uri } });
    assert.equal(links.length, 1);
    assert.equal(links[0].target, uriOf(p.helpers));
    assert.deepEqual(links[0].range, range(CURRENT, 'functions/helpers.sql'));

    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: pos(CURRENT, 'helpers.sql') });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /migrations\/fixtures\/functions\/helpers\.sql/);
    assert.match(hover.contents.value, /```sql\nCREATE TABLE helper_log \(/);

    const def = await client.request('textDocument/definition', { textDocument: { uri }, position: pos(CURRENT, 'helpers.sql', 3) });
    assert.equal(def.uri, uriOf(p.helpers));
    assert.deepEqual(def.range.start, { line: 0, character: 0 });
  });

  test('completion of fixture paths after --!include', async () => {
    const text = '--!include fun\n' + CURRENT;
    client.change(p.current, text);
    const result = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 14 } });
    const labels = result.items.map((i) => i.label);
    assert.deepEqual(labels.sort(), ['functions/', 'functions/helpers.sql']);
    const file = result.items.find((i) => i.label === 'functions/helpers.sql');
    assert.deepEqual(file.textEdit.range, { start: { line: 0, character: 11 }, end: { line: 0, character: 14 } });
    // Elsewhere: nothing.
    const none = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 3 } });
    assert.equal(none, null);
    client.change(p.current, CURRENT);
    await client.waitIdle();
  });

  test('hover on a table shows it as the migrations leave it; on a column, the column', async () => {
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: pos(CURRENT, 'app_users', 3) });
    const md = hover.contents.value;
    assert.match(md, /\*\*table app_users\*\*/);
    assert.match(md, /`id` serial — not null, default/);
    assert.match(md, /`email` text — not null/);
    assert.match(md, /`app_users_pkey` primary \(id\)/);
    assert.match(md, /Row level security\*\*: on/);
    assert.match(md, /`own_rows` for all/);
    assert.match(md, /Created in \[migrations\/committed\/000001\.sql:4\]/);
    assert.deepEqual(hover.range, range(CURRENT, 'app_users'));

    const column = await client.request('textDocument/hover', { textDocument: { uri }, position: pos(CURRENT, '(id)', 1) });
    assert.match(column.contents.value, /\*\*column app_users\.id\*\* `serial`/);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(CURRENT, 'USING (true)', 1) }), null);
  });

  test('go to definition of a table and of a column; find references', async () => {
    const committedText = readFileSync(p.committed1, 'utf8');
    const def = await client.request('textDocument/definition', { textDocument: { uri }, position: pos(CURRENT, 'app_users', 1) });
    assert.equal(def.uri, uriOf(p.committed1));
    assert.deepEqual(def.range, range(committedText, 'app_users'));

    const col = await client.request('textDocument/definition', { textDocument: { uri }, position: pos(CURRENT, '(id)', 2) });
    assert.equal(col.uri, uriOf(p.committed1));
    assert.deepEqual(col.range, range(committedText, 'id'));

    // A column of the statement's own table, in CREATE TABLE and ALTER TABLE.
    const own = await client.request('textDocument/definition', { textDocument: { uri }, position: pos(CURRENT, 'title', 1) });
    assert.equal(own.uri, uri);
    assert.deepEqual(own.range, range(CURRENT, 'title'));

    const refs = await client.request('textDocument/references', { textDocument: { uri }, position: pos(CURRENT, 'posts', 0, 1), context: { includeDeclaration: true } });
    const lines = refs.filter((r) => r.uri === uri).map((r) => r.range.start.line).sort((a, b) => a - b);
    assert.deepEqual(lines, [1, 6, 7]);
    const withoutDeclaration = await client.request('textDocument/references', { textDocument: { uri }, position: pos(CURRENT, 'posts', 0, 1), context: { includeDeclaration: false } });
    assert.equal(withoutDeclaration.length, refs.length - 1);
  });

  test('document symbols: one per statement, named, with the name selected', async () => {
    const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => s.name), ['CREATE TABLE IF NOT EXISTS posts', 'ALTER TABLE posts ENABLE ROW LEVEL SECURITY', 'CREATE POLICY read_posts ON posts']);
    assert.equal(symbols[0].kind, 23); // Struct
    assert.deepEqual(symbols[0].selectionRange, range(CURRENT, 'posts'));
    assert.deepEqual(symbols[0].range.start, pos(CURRENT, 'CREATE TABLE IF NOT EXISTS posts'));
    assert.deepEqual(symbols[0].range.end, pos(CURRENT, ');', 1));
  });

  test('editing current.sql re-parses current.sql only, not the committed history or the fixtures', async () => {
    const before = await client.waitIdle();
    const version = client.change(p.current, CURRENT.replace('title text', 'title varchar'));
    await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
    const after = await client.waitIdle();
    assert.equal(after.parses - before.parses, 1);
    assert.ok(after.analyses > before.analyses);
    client.change(p.current, CURRENT);
    await client.waitIdle();
  });

  test('editing current.sql (unsaved) updates its diagnostics', async () => {
    const edited = CURRENT.replace('CREATE TABLE IF NOT EXISTS posts', 'CREATE TABLE posts');
    const version = client.change(p.current, edited);
    const diagnostics = await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
    const table = diagnostics.filter((d) => d.code === 'non-idempotent-statement').find((d) => d.range.start.line === 1);
    assert.ok(table, JSON.stringify(diagnostics));
    assert.deepEqual(table.range.start, pos(edited, 'CREATE TABLE posts'));
    // Back: gone again. A ranged (incremental) change this time.
    const back = client.change(p.current, 'CREATE TABLE IF NOT EXISTS', range(edited, 'CREATE TABLE'));
    const again = await client.waitForDiagnostics(p.current, (d, all) => all.version === back);
    assert.deepEqual(codes(again), ['missing-lock-timeout', 'non-idempotent-statement', 'unindexed-foreign-key']);
  });

  test('a quick fix applies and its finding goes away; the preferred fix is marked', async () => {
    await client.waitIdle();
    const diagnostics = client.diagnostics.get(uri).diagnostics;
    const fk = diagnostics.find((d) => d.code === 'unindexed-foreign-key');
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: fk.range, context: { diagnostics: [fk] } });
    const fix = actions.find((a) => a.title.startsWith('Create an index'));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics[0].code, 'unindexed-foreign-key');
    assert.ok(actions.some((a) => a.title === 'Ignore unindexed-foreign-key for this statement'));
    assert.ok(actions.some((a) => a.title === 'Ignore unindexed-foreign-key in this file'));
    const edits = editsByFile(fix.edit);
    assert.deepEqual([...edits.keys()], [p.current]);
    const fixed = applyEdits(client.texts.get(uri), edits.get(p.current));
    assert.match(fixed, /CREATE INDEX IF NOT EXISTS posts_author_id_idx ON posts \(author_id\);/);
    const version = client.change(p.current, fixed);
    const after = await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
    assert.deepEqual(codes(after), ['missing-lock-timeout', 'non-idempotent-statement']);
  });

  test('ignore comments: for this statement, then for this file', async () => {
    const diagnostics = client.diagnostics.get(uri).diagnostics;
    const policy = diagnostics.find((d) => d.code === 'non-idempotent-statement');
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: policy.range, context: { diagnostics: [policy] } });
    const ignore = actions.find((a) => a.title === 'Ignore non-idempotent-statement for this statement');
    const text = client.texts.get(uri);
    const ignored = applyEdits(text, editsByFile(ignore.edit).get(p.current));
    assert.ok(ignored.includes('-- pgmig-ignore non-idempotent-statement\nCREATE POLICY read_posts'), ignored);
    let version = client.change(p.current, ignored);
    assert.deepEqual(codes(await client.waitForDiagnostics(p.current, (d, all) => all.version === version)), ['missing-lock-timeout']);

    // Back to the finding, then the file-level comment.
    version = client.change(p.current, text);
    const back = await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
    const again = back.find((d) => d.code === 'non-idempotent-statement');
    const fileActions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: again.range, context: { diagnostics: [again] } });
    const ignoreFile = fileActions.find((a) => a.title === 'Ignore non-idempotent-statement in this file');
    const fileIgnored = applyEdits(text, editsByFile(ignoreFile.edit).get(p.current));
    assert.ok(fileIgnored.startsWith('-- pgmig-ignore-file non-idempotent-statement\n--!include'));
    version = client.change(p.current, fileIgnored);
    assert.deepEqual(codes(await client.waitForDiagnostics(p.current, (d, all) => all.version === version)), ['missing-lock-timeout']);
    version = client.change(p.current, CURRENT);
    await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
  });

  test('fix all applies every safe fix of the file in one edit', async () => {
    const text = client.texts.get(uri);
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.pgmig');
    assert.ok(actions.every((a) => a.kind !== 'quickfix'));
    const fixed = applyEdits(text, editsByFile(actions[0].edit).get(p.current));
    const version = client.change(p.current, fixed);
    assert.deepEqual(codes(await client.waitForDiagnostics(p.current, (d, all) => all.version === version)), []);
    version && client.change(p.current, CURRENT);
    await client.waitIdle();
  });

  test('a fix for a finding in a committed file edits current.sql', async () => {
    const committed = client.diagnostics.get(uriOf(p.committed2)).diagnostics;
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: uriOf(p.committed2) }, range: committed[0].range, context: { diagnostics: committed } });
    const fix = actions.find((a) => /row level security/i.test(a.title));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.deepEqual([...editsByFile(fix.edit).keys()], [p.current]);
    // No ignore comments inside a committed file: that would break its hash.
    assert.ok(!actions.some((a) => a.title.startsWith('Ignore')));
    const fixed = applyEdits(client.texts.get(uri), editsByFile(fix.edit).get(p.current));
    assert.match(fixed, /ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;\n$/);
    client.change(p.current, fixed);
    await client.waitForDiagnostics(p.committed2, (d) => d.length === 0);
    // The policy-less table is now reported in current.sql's world (rls-without-policy), not missing-rls.
    client.change(p.current, CURRENT);
    await client.waitForDiagnostics(p.committed2, (d) => d.length === 1);
  });

  test('files created, changed and deleted on disk (workspace/didChangeWatchedFiles)', async () => {
    const extra = path.join(p.migrations, 'fixtures', 'extra.sql');
    writeFileSync(extra, 'CREATE TABLE extra_t (id int);\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(extra), type: 1 }] });
    const created = await client.waitForDiagnostics(extra, (d) => d.length > 0);
    assert.deepEqual(codes(created), ['non-idempotent-statement']);

    writeFileSync(extra, 'CREATE TABLE IF NOT EXISTS extra_t (id int);\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(extra), type: 2 }] });
    assert.deepEqual(await client.waitForDiagnostics(extra, (d) => d.length === 0), []);

    writeFileSync(extra, 'CREATE TABLE extra_t (id int);\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(extra), type: 2 }] });
    await client.waitForDiagnostics(extra, (d) => d.length === 1);
    unlinkSync(extra);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(extra), type: 3 }] });
    assert.deepEqual(await client.waitForDiagnostics(extra, (d) => d.length === 0), []);

    // A renamed committed file breaks the chain order: the server sees the new list.
    const renamed = path.join(p.migrations, 'committed', '000000-first.sql');
    renameSync(p.committed2, renamed);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(p.committed2), type: 3 }, { uri: uriOf(renamed), type: 1 }] });
    const chain = await client.waitForDiagnostics(renamed, (d) => d.some((x) => x.code === 'committed-chain-broken'));
    assert.ok(chain.length > 0);
    await client.waitForDiagnostics(p.committed2, (d) => d.length === 0);
    renameSync(renamed, p.committed2);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(renamed), type: 3 }, { uri: uriOf(p.committed2), type: 1 }] });
    await client.waitForDiagnostics(renamed, (d) => d.length === 0);
  });

  test('settings: a rule set to off disappears without a restart, and comes back', async () => {
    client.settings = { rules: { 'non-idempotent-statement': 'off' }, excludedSchemas: [] };
    client.notify('workspace/didChangeConfiguration', { settings: { pgmig: client.settings } });
    await client.waitForDiagnostics(p.current, (d) => d.length > 0 && d.every((x) => x.code !== 'non-idempotent-statement'));
    await client.waitForDiagnostics(p.helpers, (d) => d.length === 0);
    client.settings = { rules: { 'unindexed-foreign-key': 'error' }, excludedSchemas: [] };
    client.notify('workspace/didChangeConfiguration', { settings: { pgmig: client.settings } });
    const back = await client.waitForDiagnostics(p.current, (d) => d.some((x) => x.code === 'non-idempotent-statement'));
    assert.equal(back.find((d) => d.code === 'unindexed-foreign-key').severity, 1);
    // Excluded schemas add to the defaults: public excluded silences the table rules.
    client.settings = { rules: {}, excludedSchemas: ['public'] };
    client.notify('workspace/didChangeConfiguration', { settings: { pgmig: client.settings } });
    await client.waitForDiagnostics(p.current, (d) => d.every((x) => x.code !== 'unindexed-foreign-key'));
    client.settings = { rules: {}, excludedSchemas: [] };
    client.notify('workspace/didChangeConfiguration', { settings: { pgmig: client.settings } });
    await client.waitForDiagnostics(p.current, (d) => d.some((x) => x.code === 'unindexed-foreign-key'));
  });

  test('workspace trust: untrusted at start, trusted after pgmig/trustChanged', async () => {
    assert.equal((await client.waitIdle()).trusted, false);
    client.notify('pgmig/trustChanged', { trusted: true });
    assert.equal((await client.waitIdle()).trusted, true);
    assert.ok(client.logs.some((l) => /untrusted/.test(l)));
  });

  test('a request cancelled while the server is busy is answered with RequestCancelled', async () => {
    // A big file outside the project keeps the server busy, so the request and its cancellation are both waiting
    // when it looks at its messages again.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgmig-lsp-busy-'));
    const big = path.join(dir, 'big.sql');
    writeFileSync(big, Array.from({ length: 30000 }, (_, i) => `CREATE TABLE IF NOT EXISTS busy_${i} (id int PRIMARY KEY, note text);`).join('\n'));
    try {
      // Opening 2 MB of SQL starts a synchronous analysis of about a second. Sent while it runs, the request and its
      // cancellation wait in the pipe and are read together, so the cancellation is seen before the request runs
      // (sent at once, the request could be read and answered before the analysis started).
      client.open(big);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const source = new rpc.CancellationTokenSource();
      const pending = client.request('textDocument/documentSymbol', { textDocument: { uri } }, source.token);
      source.cancel();
      await assert.rejects(pending, (e) => e.code === rpc.LSPErrorCodes.RequestCancelled);
      // Not cancelled: answered.
      assert.ok((await client.request('textDocument/documentSymbol', { textDocument: { uri } })).length > 0);
    } finally {
      client.close(big);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files outside any project', () => {
  test('a random .sql file gets standalone diagnostics, cleared when closed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgmig-lsp-standalone-'));
    const file = path.join(dir, 'random.sql');
    const text = 'CREATE TABLE t (id int);\nSELEC 1;\n';
    writeFileSync(file, text);
    const client = await LspClient.start({ rootDir: dir });
    try {
      client.open(file);
      const diagnostics = await client.waitForDiagnostics(file, (d) => d.length > 0);
      assert.ok(diagnostics.some((d) => d.code === 'syntax-error'));
      assert.deepEqual(diagnostics.find((d) => d.code === 'syntax-error').range, range(text, 'SELEC'));
      // An unsaved buffer counts.
      const version = client.change(file, 'CREATE TABLE t (id int);\nSELECT 1;\n');
      const fixed = await client.waitForDiagnostics(file, (d, all) => all.version === version);
      assert.ok(!fixed.some((d) => d.code === 'syntax-error'));
      client.close(file);
      await client.waitForDiagnostics(file, (d) => d.length === 0);
    } finally {
      await client.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that is no migration gets syntax errors only, unless pgmig.filesOutsideProjects asks for all rules', async () => {
    const p = makeProject();
    const outside = mkdtempSync(path.join(os.tmpdir(), 'pgmig-lsp-outside-'));
    const scratch = path.join(outside, 'scratch.sql');
    // In a project's folder but no migration of it (a psql script): the same.
    const script = path.join(p.root, 'scripts', 'report.sql');
    const text = 'create table orders (id int primary key, customer_id int references customers (id));\nselec 1;\n';
    writeFileSync(scratch, text);
    mkdirSync(path.dirname(script), { recursive: true });
    writeFileSync(script, text);
    const client = await LspClient.start({ rootDir: p.root });
    try {
      for (const file of [scratch, script]) {
        client.open(file);
        const d = await client.waitForDiagnostics(file, (x) => x.length > 0);
        assert.deepEqual(d.map((x) => x.code), ['syntax-error'], `${file}: ${JSON.stringify(d)}`);
      }
      // The CLI lints a path it is given with every rule.
      const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'lint', '--format', 'json', scratch], { encoding: 'utf8' });
      const rules = new Set(JSON.parse(cli.stdout).map((f) => f.rule));
      assert.ok(rules.has('missing-rls') && rules.has('unindexed-foreign-key'), cli.stdout);

      client.settings = { ...client.settings, filesOutsideProjects: 'allRules' };
      client.notify('workspace/didChangeConfiguration', { settings: null });
      const all = await client.waitForDiagnostics(scratch, (x) => x.some((y) => y.code === 'missing-rls'));
      assert.ok(all.some((x) => x.code === 'unindexed-foreign-key') && all.some((x) => x.code === 'syntax-error'));
    } finally {
      await client.stop();
      rmSync(p.root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test('a missing fixture: "Create fixture file" creates and opens it; go to definition names the file to create', async () => {
    const p = makeProject();
    const text = 'select 1;\n--!include tables/orders.sql\n';
    writeFileSync(p.current, text);
    const client = await LspClient.start({
      rootDir: p.root,
      capabilities: { workspace: { configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } } },
    });
    try {
      client.open(p.current);
      const d = (await client.waitForDiagnostics(p.current, (x) => x.some((y) => y.code === 'include-not-found'))).find((y) => y.code === 'include-not-found');
      const actions = await client.request('textDocument/codeAction', { textDocument: { uri: uriOf(p.current) }, range: d.range, context: { diagnostics: [d] } });
      const create = actions.find((a) => a.title.startsWith('Create fixture file'));
      assert.ok(create, JSON.stringify(actions.map((a) => a.title)));
      const fixture = path.join(p.migrations, 'fixtures', 'tables', 'orders.sql');
      assert.equal(create.title, 'Create fixture file migrations/fixtures/tables/orders.sql');
      assert.deepEqual(create.edit.documentChanges, [{ kind: 'create', uri: uriOf(fixture), options: { ignoreIfExists: true } }]);
      assert.deepEqual(create.command, { title: 'Open the fixture', command: 'pgmig.openAt', arguments: [fixture, 0] });
      assert.ok(actions.some((a) => a.title === 'Ignore include-not-found for this statement' || a.title.startsWith('Ignore include-not-found')));
      // F12 on the path: the file it would be.
      const definition = await client.request('textDocument/definition', { textDocument: { uri: uriOf(p.current) }, position: { line: 1, character: 14 } });
      assert.equal(definition.uri, uriOf(fixture));
      // A path that leaves the fixtures folder gets neither.
      client.change(p.current, 'select 1;\n--!include ../../outside.sql\n');
      const outside = (await client.waitForDiagnostics(p.current, (x) => x.some((y) => y.code === 'include-outside-fixtures'))).find((y) => y.code === 'include-outside-fixtures');
      const none = await client.request('textDocument/codeAction', { textDocument: { uri: uriOf(p.current) }, range: outside.range, context: { diagnostics: [outside] } });
      assert.ok(!none.some((a) => a.title.startsWith('Create fixture file')));
    } finally {
      await client.stop();
      rmSync(p.root, { recursive: true, force: true });
    }
  });

  test('a broken pgmig.json is reported on the file in one line', async () => {
    const p = makeProject();
    writeFileSync(path.join(p.root, 'pgmig.json'), '{ "rules": { "missing-rls": "loud" } }');
    const client = await LspClient.start({ rootDir: p.root });
    try {
      const d = await client.waitForDiagnostics(path.join(p.root, 'pgmig.json'), (x) => x.length > 0);
      assert.match(d[0].message, /severity must be one of/);
      assert.ok(!d[0].message.includes('\n'));
      writeFileSync(path.join(p.root, 'pgmig.json'), '{ "rules": { "missing-rls": "off" } }');
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(p.root, 'pgmig.json')), type: 2 }] });
      await client.waitForDiagnostics(path.join(p.root, 'pgmig.json'), (x) => x.length === 0);
      await client.waitForDiagnostics(p.current, (x) => x.length > 0);
      await client.waitIdle();
      // missing-rls off in pgmig.json: the committed audit_log table is not reported.
      assert.deepEqual(client.diagnostics.get(uriOf(p.committed2))?.diagnostics ?? [], []);
      assert.ok(client.diagnostics.get(uriOf(p.helpers)).diagnostics.length > 0);
    } finally {
      await client.stop();
      rmSync(p.root, { recursive: true, force: true });
    }
  });

  test('a .gmrc.js is read as text, never run: a literal migrationsFolder is followed; one set by code gets a warning on the file', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-lsp-gmrcjs-'));
    const gmrcJs = path.join(root, '.gmrc.js');
    writeFileSync(gmrcJs, "module.exports = { migrationsFolder: './db' };\n");
    mkdirSync(path.join(root, 'db'));
    const current = path.join(root, 'db', 'current.sql');
    writeFileSync(current, 'SELEC 1;\n');
    const client = await LspClient.start({ rootDir: root });
    try {
      const d = await client.waitForDiagnostics(current, (x) => x.length > 0);
      assert.deepEqual(codes(d), ['syntax-error']);
      // Set by code: the analysis cannot know it, and the file says so.
      writeFileSync(gmrcJs, "module.exports = { migrationsFolder: require('path').join(__dirname, 'db') };\n");
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(gmrcJs), type: 2 }] });
      const w = await client.waitForDiagnostics(gmrcJs, (x) => x.length > 0);
      assert.equal(w.length, 1);
      assert.equal(w[0].severity, 2);
      assert.match(w[0].message, /^migrationsFolder is set with code here, and the analysis never runs project code: it looks in the default folder, migrations\/, instead/);
      // Moved to .gmrc: the warning goes.
      unlinkSync(gmrcJs);
      writeFileSync(path.join(root, '.gmrc'), '{ "migrationsFolder": "./db" }\n');
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(gmrcJs), type: 3 }, { uri: uriOf(path.join(root, '.gmrc')), type: 1 }] });
      await client.waitForDiagnostics(gmrcJs, (x) => x.length === 0);
    } finally {
      await client.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('an include cycle is reported with the chain as related information', async () => {
    const p = makeProject();
    const a = path.join(p.migrations, 'fixtures', 'a.sql');
    const b = path.join(p.migrations, 'fixtures', 'b.sql');
    writeFileSync(a, '--!include b.sql\nSELECT 1;\n');
    writeFileSync(b, '--!include a.sql\nSELECT 2;\n');
    writeFileSync(p.current, '--!include a.sql\n');
    const client = await LspClient.start({ rootDir: p.root });
    try {
      client.open(p.current);
      const d = await client.waitForDiagnostics(b, (x) => x.some((y) => y.code === 'include-cycle'));
      const cycle = d.find((x) => x.code === 'include-cycle');
      assert.deepEqual(cycle.range, { start: { line: 0, character: 11 }, end: { line: 0, character: 16 } });
      assert.equal(cycle.codeDescription.href, DOCS + 'include-cycle');
      assert.match(cycle.message, /a\.sql -> b\.sql -> a\.sql/);
      const related = cycle.relatedInformation.map((r) => [path.basename(fileURLToPath(r.location.uri)), r.location.range.start.line, r.location.range.start.character]);
      assert.deepEqual(related, [['a.sql', 0, 11], ['b.sql', 0, 11]]);
    } finally {
      await client.stop();
      rmSync(p.root, { recursive: true, force: true });
    }
  });

  test('several projects in one workspace each get their own analysis', async () => {
    const top = mkdtempSync(path.join(os.tmpdir(), 'pgmig-lsp-multi-'));
    const a = makeProject();
    const b = makeProject();
    const aDir = path.join(top, 'svc-a');
    const bDir = path.join(top, 'packages', 'svc-b');
    mkdirSync(path.dirname(bDir), { recursive: true });
    renameSync(a.root, aDir);
    renameSync(b.root, bDir);
    writeFileSync(path.join(bDir, 'migrations', 'current.sql'), 'CREATE TABLE IF NOT EXISTS only_b (id int);\n');
    const client = await LspClient.start({ rootDir: top });
    try {
      const idle = await client.waitIdle();
      assert.deepEqual(idle.projects.sort(), [aDir, bDir].sort());
      const da = await client.waitForDiagnostics(path.join(aDir, 'migrations', 'current.sql'), (d) => d.length > 0);
      assert.ok(da.some((d) => d.code === 'unindexed-foreign-key'));
      const db = await client.waitForDiagnostics(path.join(bDir, 'migrations', 'current.sql'), (d) => d.length > 0);
      assert.deepEqual(codes(db), ['missing-rls']);
    } finally {
      await client.stop();
      rmSync(top, { recursive: true, force: true });
    }
  });
});

describe('transports and documents without a file', () => {
  test('the server speaks LSP over node IPC (--node-ipc), as vscode-languageclient can start it', async () => {
    const { fork } = await import('node:child_process');
    const { serverPath } = await import('./lspClient.mjs');
    const p = makeProject();
    const child = fork(serverPath, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const conn = rpc.createProtocolConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
    const published = new Map();
    let notify;
    conn.onNotification('textDocument/publishDiagnostics', (d) => {
      published.set(d.uri, d.diagnostics);
      notify?.();
    });
    conn.onRequest('workspace/configuration', (params) => params.items.map(() => null));
    conn.listen();
    try {
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(p.root), capabilities: {}, initializationOptions: { trusted: true } });
      conn.sendNotification('initialized', {});
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(p.current), languageId: 'sql', version: 1, text: CURRENT } });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no diagnostics over IPC')), 20000);
        notify = () => published.get(uriOf(p.current))?.length > 0 && (clearTimeout(timer), resolve());
        notify();
      });
      assert.deepEqual(codes(published.get(uriOf(p.current))), ['missing-lock-timeout', 'non-idempotent-statement', 'unindexed-foreign-key']);
      assert.equal((await conn.sendRequest('pgmig/waitIdle', null)).trusted, true);
      await conn.sendRequest('shutdown', null);
      conn.sendNotification('exit', null);
    } finally {
      conn.dispose();
      child.kill();
      rmSync(p.root, { recursive: true, force: true });
    }
  });

  test('a client other than pgmig\'s own is asked to watch the migration files, if it can', async () => {
    const workspace = { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } };
    const other = await LspClient.start({ initializationOptions: {}, capabilities: { workspace } });
    const ours = await LspClient.start({ capabilities: { workspace } });
    try {
      await other.waitIdle();
      await ours.waitIdle();
      const watchers = other.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
      assert.deepEqual(watchers.registerOptions.watchers.map((w) => w.globPattern), ['**/*.sql', '**/.gmrc', '**/.gmrc.js', '**/.gmrc.cjs', '**/pgmig.json']);
      // The VS Code client (initializationOptions.settings) has its own watchers: no second set; only the env files
      // (pgmig.envFile) are asked for, as any client is.
      const ourWatchers = ours.registrations.filter((r) => r.method === 'workspace/didChangeWatchedFiles').flatMap((r) => r.registerOptions.watchers);
      assert.deepEqual(ourWatchers.map((w) => w.globPattern), ['**/.env']);
    } finally {
      await other.stop();
      await ours.stop();
    }
  });

  test('an untitled SQL buffer is analysed on its own', async () => {
    const client = await LspClient.start({});
    try {
      const uri = 'untitled:Untitled-1';
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: 'CREATE TABLE t (id int);\nSELEC 1;\n' } });
      const d = await client.waitForDiagnostics(uri, (x) => x.length > 0);
      assert.ok(d.some((x) => x.code === 'syntax-error'));
      const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      assert.deepEqual(symbols.map((s) => s.name), ['CREATE TABLE t']);
    } finally {
      await client.stop();
    }
  });
});
