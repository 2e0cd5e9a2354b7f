// Language server benchmark: a project with 1,000 committed migrations and a 2,000-statement current.sql.
// Measures cold start (spawn -> first diagnostics of current.sql), didChange -> publishDiagnostics over 100 edits
// (p50/p95), the server's resident memory, and the same edit loop against `squawk server` (pull diagnostics).
// Usage: node bench/lsp.mjs [--edits N] [--json] [--cpu-prof DIR] [--no-squawk]   (needs `npm run build` and, for squawk, `npm --prefix bench install`)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-languageserver-protocol/node';

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = rpc;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const EDITS = Number(args[args.indexOf('--edits') + 1]) || 100;
const COMMITTED = 1000;
const CURRENT_STATEMENTS = 2000;
/** Pause between edits: a person pausing between keystroke bursts (the server debounces faster bursts). */
const PAUSE_MS = 150;

// graphile-migrate's committed format (core/graphile/committedFile.ts formatCommittedFile, loaded from the build when
// present so the two cannot drift).
async function loadFormatter() {
  const built = path.join(repoRoot, 'out', 'core', 'graphile', 'committedFile.js');
  if (existsSync(built)) return (await import(pathToFileURL(built).href)).default.formatCommittedFile;
  return ({ body, previousHash }) => {
    body = body.trim() + '\n';
    const hash = 'sha1:' + createHash('sha1').update(((previousHash || '') + '\n' + body.trim()).trim() + '\n').digest('hex');
    return { text: `--! Previous: ${previousHash ?? '-'}\n--! Hash: ${hash}\n\n${body}`, hash };
  };
}

function committedBody(i) {
  const t = `t_${i}`;
  if (i % 2 === 0) {
    const parent = i >= 2 ? `,\n  parent_id bigint REFERENCES t_${i - 2} (id)` : '';
    return `CREATE TABLE ${t} (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()${parent}
);
${i >= 2 ? `CREATE INDEX ${t}_parent_idx ON ${t} (parent_id);\n` : ''}ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${t}_select ON ${t} FOR SELECT USING (true);
COMMENT ON TABLE ${t} IS 'table number ${i}';
`;
  }
  return `ALTER TABLE t_${i - 1} ADD COLUMN extra_${i} text;
CREATE OR REPLACE FUNCTION f_${i}(x int) RETURNS int LANGUAGE sql AS $$ SELECT x + ${i} $$;
GRANT SELECT ON t_${i - 1} TO PUBLIC;
`;
}

function currentSql() {
  const out = ['-- current.sql: work in progress'];
  let n = 0;
  for (let j = 0; n < CURRENT_STATEMENTS; j++) {
    const t = `c_${j}`;
    out.push(`CREATE TABLE IF NOT EXISTS ${t} (
  id bigserial PRIMARY KEY,
  owner_id bigint REFERENCES t_${(j * 2) % COMMITTED} (id),
  note_a text,
  amount numeric(10,2) NOT NULL DEFAULT 0
);`);
    out.push(`CREATE INDEX IF NOT EXISTS ${t}_owner_idx ON ${t} (owner_id);`);
    out.push(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`);
    out.push(`DROP POLICY IF EXISTS ${t}_all ON ${t};`);
    out.push(`CREATE POLICY ${t}_all ON ${t} USING (owner_id IS NOT NULL);`);
    n += 5;
  }
  return out.join('\n') + '\n';
}

async function makeProject() {
  const formatCommittedFile = await loadFormatter();
  const root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-bench-lsp-'));
  mkdirSync(path.join(root, 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(root, '.gmrc'), '{}\n');
  let prev = null;
  for (let i = 0; i < COMMITTED; i++) {
    const { text, hash } = formatCommittedFile({ body: committedBody(i), previousHash: prev });
    prev = hash;
    writeFileSync(path.join(root, 'migrations', 'committed', `${String(i + 1).padStart(6, '0')}.sql`), text);
  }
  const current = path.join(root, 'migrations', 'current.sql');
  writeFileSync(current, currentSql());
  return { root, current };
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

function connect(command, argv, cwd, logs = []) {
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'], cwd, env: { ...process.env, PGMIG_LSP_TIMING: '1' } });
  child.stderr.on('data', () => {});
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification('window/logMessage', (p) => logs.push(p.message));
  return { child, conn };
}

const CAPABILITIES = {
  workspace: { configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true } },
  textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true }, diagnostic: { dynamicRegistration: false } },
};

/** The edit loop: flips one column name in the middle of current.sql back and forth (same length). */
function editAt(text) {
  const at = text.indexOf('note_a', Math.floor(text.length / 2));
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  const character = at - before.lastIndexOf('\n') - 1;
  return { range: { start: { line, character }, end: { line, character: character + 6 } } };
}

async function benchPgmig(project) {
  const t0 = performance.now();
  // --cpu-prof DIR: profile the server (open the .cpuprofile in Chrome DevTools or VS Code).
  const profile = args.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args[args.indexOf('--cpu-prof') + 1] ?? 'out/cpuprof')}`] : [];
  const logs = [];
  const { child, conn } = connect(process.execPath, [...profile, path.join(repoRoot, 'dist', 'server.js'), '--stdio'], undefined, logs);
  const uri = pathToFileURL(project.current).href;
  let waiter;
  let firstAt;
  const received = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri !== uri) return;
    const now = performance.now();
    firstAt ??= now;
    received.set(p.version, now);
    if (waiter && waiter.version === p.version) waiter.resolve(now);
  });
  conn.listen();
  const text = readFileSync(project.current, 'utf8');
  const tInit = performance.now();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(project.root).href, workspaceFolders: [{ uri: pathToFileURL(project.root).href, name: 'bench' }], capabilities: CAPABILITIES, initializationOptions: { trusted: false, settings: { rules: {}, excludedSchemas: [] } } });
  conn.sendNotification('initialized', {});
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
  await new Promise((resolve) => {
    const tick = () => (firstAt ? resolve() : setTimeout(tick, 2));
    tick();
  });
  const cold = firstAt - t0;
  const coldFromInitialize = firstAt - tInit;
  await conn.sendRequest('pgmig/waitIdle', null);
  const { range } = editAt(text);
  const latencies = [];
  for (let i = 0; i < EDITS; i++) {
    await sleep(PAUSE_MS);
    const version = i + 2;
    const done = new Promise((resolve) => (waiter = { version, resolve }));
    const sent = performance.now();
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: i % 2 === 0 ? 'note_b' : 'note_a' }] });
    const at = await Promise.race([done, sleep(10000).then(() => NaN)]);
    latencies.push(at - sent);
  }
  const mem = rssMb(child.pid);
  // At rest: the server collects garbage after a second without edits.
  await sleep(1500);
  mem.atRest = rssMb(child.pid).rss;
  mem.detail = (await conn.sendRequest('pgmig/waitIdle', null)).memoryMb;
  await conn.sendRequest('shutdown', null);
  conn.sendNotification('exit', null);
  await Promise.race([new Promise((r) => child.on('exit', r)), sleep(2000)]);
  child.kill('SIGKILL');
  conn.dispose();
  // The server's own account (PGMIG_LSP_TIMING): analysis time per run, without transport and scheduling.
  const analysis = logs.map((l) => /analysed .*? in ([\d.]+) ms/.exec(l)?.[1]).filter(Boolean).map(Number).slice(-EDITS);
  const analysisCpu = logs.map((l) => /analysed .*?, cpu ([\d.]+) ms/.exec(l)?.[1]).filter(Boolean).map(Number).slice(-EDITS);
  return { cold, coldFromInitialize, latencies, mem, analysis, analysisCpu };
}

async function benchSquawk(project) {
  const bin = path.join(repoRoot, 'bench', 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
  if (!existsSync(bin)) return undefined;
  const t0 = performance.now();
  const { child, conn } = connect(bin, ['server'], project.root);
  conn.onNotification('textDocument/publishDiagnostics', () => {});
  conn.listen();
  const uri = pathToFileURL(project.current).href;
  const text = readFileSync(project.current, 'utf8');
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(project.root).href, capabilities: CAPABILITIES });
  conn.sendNotification('initialized', {});
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
  const first = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const cold = performance.now() - t0;
  const { range } = editAt(text);
  const latencies = [];
  for (let i = 0; i < EDITS; i++) {
    await sleep(PAUSE_MS);
    const sent = performance.now();
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range, text: i % 2 === 0 ? 'note_b' : 'note_a' }] });
    await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    latencies.push(performance.now() - sent);
  }
  const mem = rssMb(child.pid);
  await sleep(1500);
  mem.atRest = rssMb(child.pid).rss;
  try {
    await Promise.race([conn.sendRequest('shutdown', null), sleep(2000)]);
    conn.sendNotification('exit', null);
  } catch {}
  await Promise.race([new Promise((r) => child.on('exit', r)), sleep(2000)]);
  child.kill('SIGKILL');
  conn.dispose();
  return { cold, latencies, mem, items: first?.items?.length ?? 0 };
}

const project = await makeProject();
try {
  const pg = await benchPgmig(project);
  const sq = args.includes('--no-squawk') ? undefined : await benchSquawk(project);
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const rows = [
    ['', 'pgmig', 'squawk 2.66.0', 'goal (pgmig)'],
    ['edit -> diagnostics p50 (ms)', f(percentile(pg.latencies, 50)), sq ? f(percentile(sq.latencies, 50)) : 'not installed', ''],
    ['edit -> diagnostics p95 (ms)', f(percentile(pg.latencies, 95)), sq ? f(percentile(sq.latencies, 95)) : 'not installed', '< 25'],
    ['  of which analysis p50/p95 (ms)', `${f(percentile(pg.analysis, 50))} / ${f(percentile(pg.analysis, 95))}`, '', ''],
    ['  analysis CPU time p50/p95 (ms)', `${f(percentile(pg.analysisCpu, 50))} / ${f(percentile(pg.analysisCpu, 95))}`, '', ''],
    ['cold start (ms)', f(pg.cold), sq ? f(sq.cold) : '', '< 1000'],
    ['resident memory after the edits (MB)', f(pg.mem.rss), sq ? f(sq.mem.rss) : '', ''],
    ['resident memory at rest, 1.5 s later (MB)', f(pg.mem.atRest), sq ? f(sq.mem.atRest) : '', '< 200'],
    ['peak resident memory (MB)', f(pg.mem.peak), sq ? f(sq.mem.peak) : '', ''],
  ];
  console.log(`LSP benchmark: ${COMMITTED} committed migrations, current.sql with ${CURRENT_STATEMENTS} statements, ${EDITS} edits ${PAUSE_MS} ms apart; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
  if (sq) {
    console.log(`squawk / pgmig p50 ratio: ${(percentile(sq.latencies, 50) / percentile(pg.latencies, 50)).toFixed(2)}x, p95 ratio: ${(percentile(sq.latencies, 95) / percentile(pg.latencies, 95)).toFixed(2)}x (squawk checks current.sql alone; pgmig re-analyses the project)`);
  }
  console.log(`pgmig cold start from the initialize request: ${f(pg.coldFromInitialize)} ms; memory (MB): ${JSON.stringify(pg.mem.detail)}`);
  if (args.includes('--json')) console.log(JSON.stringify({ pgmig: { ...pg, p50: percentile(pg.latencies, 50), p95: percentile(pg.latencies, 95) }, squawk: sq && { ...sq, p50: percentile(sq.latencies, 50), p95: percentile(sq.latencies, 95) } }));
  const ok = percentile(pg.latencies, 95) < 25 && pg.cold < 1000 && pg.mem.atRest < 200;
  if (!ok) console.log('goal missed');
} finally {
  rmSync(project.root, { recursive: true, force: true });
}
