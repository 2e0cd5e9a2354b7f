// `npm run bench`: pgmig's lint against squawk and postgres-language-server on a large generated migration file, on
// files of the other statement mixes of generate.mjs (PL/pgSQL, policies and grants, data, long comments) and
// on the real-world corpus (../shared/corpus), each tool as a whole process, wall time median of 3. Then the other
// benchmarks (bench/lsp.mjs, bench/engine.mjs, bench/embedded.mjs, bench/firstView.mjs: it needs
// `bash test/vscode/setup.sh` and says so otherwise) when they exist. Peers are installed into bench/node_modules the
// first time (their own package.json: never product dependencies). BENCH_RUNS=N changes the number of runs;
// BENCH_LINT_ONLY=1 skips the other benchmarks; BENCH_INPUTS=<regular expression> measures only the inputs whose
// names match (e.g. `mix|^big$`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, generateMix, MIXES } from './generate.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const workDir = path.join(benchDir, '.work');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STATEMENTS = 14_000;

const squawkBin = path.join(benchDir, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
const plsBin = path.join(benchDir, 'node_modules', '@postgres-language-server', 'cli-x86_64-linux-gnu', 'postgres-language-server');

if (!existsSync(cli)) {
  console.error('bench: dist/cli.js is missing: run `npm run bench` (it builds first)');
  process.exit(1);
}
if (!existsSync(squawkBin) || !existsSync(plsBin)) {
  console.log('bench: installing the peer tools into bench/node_modules');
  const lock = existsSync(path.join(benchDir, 'package-lock.json'));
  const r = spawnSync('npm', ['--prefix', benchDir, lock ? 'ci' : 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('bench: npm install of the peers failed');
    process.exit(1);
  }
}
const peersAvailable = existsSync(squawkBin) && existsSync(plsBin);
if (!peersAvailable) console.log(`bench: peer binaries not found for this platform (${process.platform}-${process.arch}); pgmig only`);

// ---- inputs -----------------------------------------------------------------------------------------------------
mkdirSync(workDir, { recursive: true });
const inputs = [];
const big = generate(STATEMENTS);
for (const [name, n] of [['tiny (1 statement)', 1], ['big/4', STATEMENTS / 4], ['big/2', STATEMENTS / 2], ['big', STATEMENTS]]) {
  const text = n === STATEMENTS ? big : generate(n);
  const file = path.join(workDir, `generated-${n}.sql`);
  writeFileSync(file, text);
  inputs.push({ name, files: [path.basename(file)], cwd: workDir, bytes: Buffer.byteLength(text), statements: n, peers: n === STATEMENTS });
}

// The other statement mixes at the big file's size: what a byte costs depends on what it is (issue 14). The big file
// above is the DDL mix.
const MIX_BYTES = Buffer.byteLength(big);
for (const mix of Object.keys(MIXES).filter((m) => m !== 'ddl')) {
  const text = generateMix(mix, MIX_BYTES);
  const file = path.join(workDir, `mix-${mix}.sql`);
  writeFileSync(file, text);
  inputs.push({ name: `mix ${mix}`, files: [path.basename(file)], cwd: workDir, bytes: Buffer.byteLength(text), peers: true, mix: true });
}

function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile() && prefix) out.push(rel);
  }
  return out.sort();
}
if (existsSync(path.join(corpusDir, 'MANIFEST.tsv'))) {
  const files = listFiles(corpusDir);
  const bytes = files.reduce((sum, f) => sum + statSync(path.join(corpusDir, f)).size, 0);
  inputs.push({ name: `corpus (${files.length} files)`, files, cwd: corpusDir, bytes, peers: true });
} else {
  console.log(`bench: no corpus at ${corpusDir}: corpus rows skipped`);
}

// ---- tools ------------------------------------------------------------------------------------------------------
const tools = [
  { name: 'pgmig', command: (files) => [process.execPath, [cli, 'lint', '--format', 'json', ...files]], ok: [0, 1] },
  { name: 'squawk', command: (files) => [squawkBin, files], ok: [0, 1], peer: true },
  { name: 'postgres-language-server', command: (files) => [plsBin, ['check', '--disable-db', ...files]], ok: [0, 1], peer: true },
];

function once(tool, input) {
  const [cmd, args] = tool.command(input.files);
  const t0 = performance.now();
  // Output goes to /dev/null for every tool alike: what is measured is the work, not the terminal.
  const r = spawnSync(cmd, args, { cwd: input.cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t0) / 1000;
  const failed = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : tool.ok.includes(r.status) ? undefined : `exit ${r.status}`;
  const detail = failed && r.stderr ? (String(r.stderr).match(/panicked at [^\n]*\n[^\n]*/)?.[0].replace(/\s*\n\s*/, ' ') ?? String(r.stderr).trim().split('\n').at(-1)) : undefined;
  return { seconds, failed, detail };
}

console.log(`bench: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes skew wall times)`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The files squawk crashes on when run alone (exit code above 1), two at a time. */
async function squawkCrashes(input) {
  const crashes = [];
  let next = 0;
  const worker = async () => {
    while (next < input.files.length) {
      const f = input.files[next++];
      const code = await new Promise((resolve) => {
        const child = spawn(squawkBin, [f], { cwd: input.cwd, stdio: 'ignore' });
        child.on('close', (c) => resolve(c));
        child.on('error', () => resolve(-1));
      });
      if (code !== 0 && code !== 1) crashes.push(f);
    }
  };
  await Promise.all([worker(), worker()]);
  return crashes.sort();
}

/** The share of pgmig's main thread spent collecting garbage on `input`, from a CPU profile of one run (the worker
 * threads that help parse write their own profiles, not counted). */
function gcShare(input) {
  const dir = path.join(workDir, 'profiles', input.name.replace(/\W+/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, cli, 'lint', '--format', 'json', ...input.files], { cwd: input.cwd, stdio: 'ignore' });
  // The main thread's profile is the largest.
  const [main] = readdirSync(dir).map((f) => path.join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size);
  if (!main) return undefined;
  const profile = JSON.parse(readFileSync(main, 'utf8'));
  const gc = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(garbage collector)').map((n) => n.id));
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let busy = 0;
  let collecting = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    if (idle.has(id)) return;
    busy += dt;
    if (gc.has(id)) collecting += dt;
  });
  return busy > 0 ? collecting / busy : undefined;
}

if (process.env.BENCH_INPUTS) {
  const wanted = new RegExp(process.env.BENCH_INPUTS);
  inputs.splice(0, inputs.length, ...inputs.filter((i) => wanted.test(i.name)));
}
const results = [];
for (let k = 0; k < inputs.length; k++) {
  const input = inputs[k];
  for (const f of input.files) readFileSync(path.resolve(input.cwd, f)); // warm the page cache for every tool alike
  const active = tools.filter((tool) => !tool.peer || (input.peers && peersAvailable));
  const runs = new Map(active.map((tool) => [tool, []]));
  const failures = new Map();
  // Round robin (pgmig, squawk, pls, pgmig, ...): a change in the machine's load hits every tool alike.
  for (let i = 0; i < RUNS; i++) {
    for (const tool of active) {
      if (failures.has(tool)) continue; // a tool that fails does not get better on the next run
      const r = once(tool, input);
      runs.get(tool).push(r.seconds);
      if (r.failed) failures.set(tool, `${r.failed}${r.detail ? `: ${r.detail}` : ''}`);
    }
  }
  const gc = input.mix || input.name === 'big' ? gcShare(input) : undefined;
  for (const tool of active) {
    const seconds = median(runs.get(tool));
    const failure = failures.get(tool);
    results.push({ input: input.name, bytes: input.bytes, tool: tool.name, seconds, runs: runs.get(tool), failure, gc: tool.name === 'pgmig' ? gc : undefined });
    process.stderr.write(`bench: ${input.name} ${tool.name} ${seconds.toFixed(3)} s${failure ? ` (${failure})` : ''}\n`);
  }
  // squawk stops at the first file it crashes on: measure everyone again without those files, so it has a time.
  const squawk = active.find((tool) => tool.name === 'squawk');
  if (squawk && failures.has(squawk) && input.name.startsWith('corpus') && !input.retry) {
    const crashes = await squawkCrashes(input);
    if (crashes.length > 0) {
      const files = input.files.filter((f) => !crashes.includes(f));
      const bytes = files.reduce((sum, f) => sum + statSync(path.resolve(input.cwd, f)).size, 0);
      console.log(`bench: squawk crashes on ${crashes.length} corpus files when run on each alone: ${crashes.join(', ')}`);
      inputs.splice(k + 1, 0, { ...input, name: `corpus without those ${crashes.length}`, files, bytes, retry: true });
    }
  }
}

// ---- report -----------------------------------------------------------------------------------------------------
const mb = (bytes) => bytes / 1e6;
const pgmigTime = (input) => results.find((r) => r.input === input && r.tool === 'pgmig')?.seconds;
const rows = results.map((r) => [
  r.input,
  `${mb(r.bytes).toFixed(2)} MB`,
  r.tool,
  `${r.seconds.toFixed(3)} s${r.failure ? ' (failed)' : ''}`,
  (mb(r.bytes) / r.seconds).toFixed(1),
  r.tool === 'pgmig' ? '1.0' : `${(r.seconds / pgmigTime(r.input)).toFixed(1)}x`,
  r.gc === undefined ? '' : `${(r.gc * 100).toFixed(0)}%`,
]);
const header = ['input', 'size', 'tool', `wall (median of ${RUNS})`, 'MB/s', 'vs pgmig', 'GC (main thread)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log('\n' + line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of rows) console.log(line(row));
for (const r of results.filter((x) => x.failure)) console.log(`note: ${r.tool} on ${r.input}: ${r.failure}`);
const notSql = inputs.find((i) => i.name.startsWith('corpus'))?.files.filter((f) => !f.endsWith('.sql')).length;
if (notSql) console.log(`note: postgres-language-server skips the corpus' ${notSql} files whose names do not end in .sql; pgmig and squawk read them`);

const get = (input, tool) => results.find((r) => r.input === input && r.tool === tool);
const goals = [];
const bigP = get('big', 'pgmig');
const bigPls = get('big', 'postgres-language-server');
if (bigP && bigPls) goals.push([`big file (ddl mix) at most half of postgres-language-server's time`, bigP.seconds <= bigPls.seconds / 2, `${bigP.seconds.toFixed(3)} s vs ${bigPls.seconds.toFixed(3)} s (${(bigP.seconds / bigPls.seconds).toFixed(2)}x)`]);
for (const input of inputs.filter((i) => i.mix)) {
  const p = get(input.name, 'pgmig');
  const pls = get(input.name, 'postgres-language-server');
  if (p && pls && !pls.failure) goals.push([`${input.name} at most half of postgres-language-server's time`, p.seconds <= pls.seconds / 2, `${p.seconds.toFixed(3)} s vs ${pls.seconds.toFixed(3)} s (${(p.seconds / pls.seconds).toFixed(2)}x)`]);
}
const gcs = results.filter((r) => r.gc !== undefined);
if (gcs.length) goals.push(['garbage collection under 10% of the main thread on every mix', gcs.every((r) => r.gc < 0.1), gcs.map((r) => `${r.input} ${(r.gc * 100).toFixed(0)}%`).join(', ')]);
if (bigP) {
  // Whole-process time, start-up included; what the analysis itself does after start-up (the tiny file's time) too.
  const startup = get('tiny (1 statement)', 'pgmig')?.seconds ?? 0;
  goals.push(['at least 10 MB/s on the big file', mb(bigP.bytes) / bigP.seconds >= 10, `${(mb(bigP.bytes) / bigP.seconds).toFixed(1)} MB/s whole process; ${(mb(bigP.bytes) / (bigP.seconds - startup)).toFixed(1)} MB/s above the ${(startup * 1000).toFixed(0)} ms start-up`]);
}
const corpusInputs = inputs.filter((i) => i.name.startsWith('corpus'));
if (corpusInputs.length) {
  const c = get(corpusInputs[0].name, 'pgmig');
  goals.push(['corpus under 0.8 s', c.seconds < 0.8, `${c.seconds.toFixed(3)} s`]);
  // Against the peers on the files every tool gets through (without squawk's crash files, when there are any).
  const fair = corpusInputs.at(-1);
  const p = get(fair.name, 'pgmig');
  const peers = results.filter((r) => r.input === fair.name && r.tool !== 'pgmig' && !r.failure);
  if (peers.length) {
    // The issue's "under 1 s (a tenth of either peer's)" rests on peer times of ~10 s measured elsewhere: here the
    // ratio is reported beside the 1 s goal, not instead of it.
    console.log(`corpus against the peers (${fair.name}): pgmig ${p.seconds.toFixed(3)} s; ${peers.map((r) => `${r.tool} ${r.seconds.toFixed(3)} s (pgmig ${(p.seconds / r.seconds).toFixed(2)}x)`).join(', ')}`);
  }
}
// Linear: the time above the start-up cost (the tiny file) per MB stays the same from big/4 to big.
const tiny = get('tiny (1 statement)', 'pgmig');
const perMb = ['big/4', 'big/2', 'big'].map((name) => get(name, 'pgmig')).filter((r) => r && tiny).map((r) => (r.seconds - tiny.seconds) / mb(r.bytes));
if (perMb.length === 3) {
  // Linear or better: the full file costs at most 1.5x per MB what a quarter of it costs.
  goals.push(['linear growth (ms per MB above start-up for big/4, big/2, big; big at most 1.5x big/4)', perMb[2] <= perMb[0] * 1.5, perMb.map((s) => `${(s * 1000).toFixed(0)} ms/MB`).join(', ')]);
}
console.log('\nGoals:');
for (const [goal, met, detail] of goals) console.log(`  ${met ? 'met    ' : 'MISSED '} ${goal}: ${detail}`);
writeFileSync(path.join(workDir, 'results.json'), JSON.stringify({ date: new Date().toISOString(), results, goals }, null, 2));

// ---- the other benchmarks ---------------------------------------------------------------------------------------
let otherFailed = false;
for (const script of process.env.BENCH_LINT_ONLY ? [] : ['lsp.mjs', 'engine.mjs', 'embedded.mjs', 'firstView.mjs']) {
  const file = path.join(benchDir, script);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench/${script} ===`);
  const r = spawnSync(process.execPath, [file], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`bench/${script} failed (exit ${r.status ?? r.signal})`);
    otherFailed = true;
  }
}
process.exit(otherFailed ? 1 : 0);
