// pgmig's migration safety rules against squawk 2.x, the linter people use, over the real-world corpus
// (../shared/corpus). For each pair of rules that mean the same thing it prints how many statements each tool
// reports, how many both report, and a classified sample of the differences. Run: `node esbuild.mjs && node
// bench/squawkCompare.mjs` (BENCH_SAMPLE=N examples per class). Skips cleanly without the corpus or squawk.
//
// Each repository of the corpus becomes a numbered pgmig project in a temporary folder (its migration files in path
// order, which is their order for every corpus project: timestamps or sequence numbers), so pgmig knows the history;
// squawk lints each file alone. Per-database variants (sqlite, mysql, cockroach) and down migrations are left out.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const corpusDir = process.env.PGMIG_CORPUS ?? path.resolve(repoRoot, '..', 'shared', 'corpus');
const squawkBin = path.join(benchDir, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 3);

if (!existsSync(corpusDir)) {
  console.log(`squawkCompare: no corpus at ${corpusDir}: skipped`);
  process.exit(0);
}
if (!existsSync(squawkBin)) {
  console.log('squawkCompare: squawk is not installed (npm --prefix bench ci): skipped');
  process.exit(0);
}
if (!existsSync(cli) || !existsSync(path.join(repoRoot, 'out', 'core', 'sql', 'parser.js'))) {
  console.error('squawkCompare: build first (node esbuild.mjs && npx tsc -p .)');
  process.exit(1);
}
const parser = (await import(path.join(repoRoot, 'out', 'core', 'sql', 'parser.js'))).default;
await parser.loadParser();

// Rule pairs. `unit`: 'statement' compares statements, 'file' compares files (pgmig reports missing-lock-timeout
// once per migration, squawk at every statement).
const PAIRS = [
  { squawk: ['require-concurrent-index-creation', 'require-concurrent-index-deletion'], pgmig: ['non-concurrent-index'] },
  { squawk: ['ban-concurrent-index-creation-in-transaction'], pgmig: ['concurrently-in-transaction'] },
  { squawk: ['constraint-missing-not-valid', 'adding-foreign-key-constraint'], pgmig: ['constraint-without-not-valid', 'validate-in-same-transaction'] },
  { squawk: ['disallowed-unique-constraint', 'adding-serial-primary-key-field'], pgmig: ['constraint-builds-index'] },
  { squawk: ['adding-field-with-default'], pgmig: ['add-column-rewrites-table'] },
  { squawk: ['adding-not-nullable-field'], pgmig: ['set-not-null-scans-table'] },
  { squawk: ['adding-required-field'], pgmig: ['not-null-without-default'] },
  { squawk: ['renaming-column', 'renaming-table'], pgmig: ['rename-breaks-clients'] },
  { squawk: ['changing-column-type'], pgmig: ['column-type-change'] },
  { squawk: ['ban-drop-column', 'ban-drop-table', 'ban-truncate-cascade'], pgmig: ['drop-loses-data'] },
  { squawk: ['require-lock-timeout'], pgmig: ['missing-lock-timeout'], unit: 'file' },
  { squawk: ['transaction-nesting'], pgmig: ['transaction-nesting'] },
  { squawk: ['prefer-timestamp-tz'], pgmig: ['prefer-timestamptz'] },
  { squawk: ['prefer-identity'], pgmig: ['prefer-identity'] },
  { squawk: ['prefer-bigint-over-int', 'prefer-bigint-over-smallint'], pgmig: ['prefer-bigint'] },
  { squawk: ['prefer-text-field'], pgmig: ['prefer-text'] },
];

// ---- the corpus as projects ---------------------------------------------------------------------------------------

const walked = new Map();
function walk(dir) {
  if (!walked.has(dir)) walked.set(dir, walkDir(dir));
  return walked.get(dir);
}
function walkDir(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walkDir(full, out);
    else if (name.endsWith('.sql')) out.push(full);
  }
  return out;
}
const isPostgresUp = (f) => !/(?:sqlite|mysql|cockroach)/i.test(path.basename(f)) && !/(?:^|[._/-])down(?:[._/-]|$)/i.test(path.relative(corpusDir, f));

const repos = readdirSync(corpusDir).filter((d) => statSync(path.join(corpusDir, d)).isDirectory()).sort();
const work = mkdtempSync(path.join(os.tmpdir(), 'pgmig-squawk-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** Per corpus file: its text, statement spans and line starts. */
const files = new Map();
function fileInfo(file) {
  let info = files.get(file);
  if (info) return info;
  const text = readFileSync(file, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const statements = parser.parseScript(text).statements.filter((s) => !s.parent);
  info = { text, lineStarts, statements };
  files.set(file, info);
  return info;
}
/** The statement a (0-based line, UTF-16 column) falls in, or the next one (-1: none). */
function statementAt(file, line, column) {
  const { lineStarts, statements, text } = fileInfo(file);
  const offset = Math.min(text.length, (lineStarts[line] ?? text.length) + column);
  let best = -1;
  for (let i = 0; i < statements.length; i++) {
    if (statements[i].start <= offset) best = i;
    else break;
  }
  if (best >= 0 && offset <= statements[best].end + 1) return best;
  return statements.findIndex((s) => s.start >= offset);
}

const pgmigFindings = [];
const squawkFindings = [];
let fileCount = 0;

function runSquawk(file) {
  return new Promise((resolve) => {
    const child = spawn(squawkBin, ['--reporter', 'json', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        resolve([]); // squawk crashed on this file
      }
    });
  });
}

for (const repo of repos) {
  const list = walk(path.join(corpusDir, repo)).filter(isPostgresUp);
  if (!list.length) continue;
  fileCount += list.length;
  const dir = path.join(work, repo);
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  writeFileSync(path.join(dir, 'pgmig.json'), '{ "layout": "numbered" }\n');
  const byTemp = new Map();
  list.forEach((f, i) => {
    const name = `${String(i + 1).padStart(5, '0')}_${path.relative(path.join(corpusDir, repo), f).replace(/\.sql$/, '').replace(/[^A-Za-z0-9]+/g, '_')}.sql`;
    writeFileSync(path.join(dir, 'migrations', name), readFileSync(f));
    byTemp.set(`migrations/${name}`, f);
  });
  const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', '--root', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`pgmig failed on ${repo}: ${r.stderr}`);
  for (const f of JSON.parse(r.stdout)) {
    const file = byTemp.get(f.file);
    if (file) pgmigFindings.push({ file, rule: f.rule, line: f.line - 1, column: f.column - 1, message: f.message });
  }
  // squawk: each file alone (it stops at the first file it crashes on), two at a time.
  for (let i = 0; i < list.length; i += 2) {
    const batch = await Promise.all(list.slice(i, i + 2).map(runSquawk));
    batch.forEach((res, k) => {
      for (const f of res) squawkFindings.push({ file: list[i + k], rule: f.rule_name, line: f.line, column: f.column, message: f.message });
    });
  }
}

// ---- comparison -----------------------------------------------------------------------------------------------

const str = (n) => n?.String?.sval ?? '';
/** Tables created (anywhere before this statement) per repository, for classifying differences. */
const createdBefore = (file, index) => {
  const repo = path.relative(corpusDir, file).split(path.sep)[0];
  const seen = new Set();
  for (const f of walk(path.join(corpusDir, repo)).filter(isPostgresUp)) {
    const { statements } = fileInfo(f);
    for (let i = 0; i < statements.length; i++) {
      if (f === file && i >= index) return { seen, sameFile: sameFileCreates(file, index) };
      const s = statements[i];
      if (s.type === 'CreateStmt' || s.type === 'CreateTableAsStmt') seen.add((s.node.relation ?? s.node.into?.rel)?.relname);
    }
  }
  return { seen, sameFile: sameFileCreates(file, index) };
};
function sameFileCreates(file, index) {
  const out = new Set();
  const { statements } = fileInfo(file);
  for (let i = 0; i < index; i++) {
    const s = statements[i];
    if (s.type === 'CreateStmt' || s.type === 'CreateTableAsStmt') out.add((s.node.relation ?? s.node.into?.rel)?.relname);
    // A table created here under another name and renamed (the copy-and-swap idiom) is new too.
    if (s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_TABLE' && out.has(s.node.relation?.relname)) out.add(s.node.newname);
  }
  return out;
}
function tableOf(s) {
  const n = s.node;
  if (s.type === 'DropStmt') return str((n.objects?.[0]?.List?.items ?? [n.objects?.[0]]).at(-1)) || undefined;
  if (s.type === 'TruncateStmt') return n.relations?.[0]?.RangeVar?.relname;
  return (n.relation ?? n.table ?? n.into?.rel)?.relname;
}

/** Why only one tool reports a statement: the first classifier that applies. `finding` is that tool's finding. */
function classify(pair, file, index, side, finding) {
  const { statements, text, lineStarts } = fileInfo(file);
  const s = statements[index];
  if (!s) return 'no statement (unparsable file)';
  const repo = path.relative(corpusDir, file).split(path.sep)[0];
  const sql = text.slice(s.start, s.end).replace(/\s+/g, ' ');
  const table = tableOf(s);
  if (repo === 'citusdata+citus') return 'citus extension scripts: path order is not their install order, so the history differs';
  if (side === 'pgmig') {
    if (!squawkFiles.has(file)) return 'squawk reports nothing in this file (it stops at what it cannot parse)';
    if (squawkFindings.some((f) => f.file === file && f.rule === 'syntax-error' && statementAt(file, f.line, f.column) <= index)) return 'squawk stops at a statement it cannot parse, earlier in the file';
    const m = finding?.message ?? '';
    if (/implicit transaction block/.test(m)) return 'several statements in one file: sent as one query (pgmig, graphile-migrate, golang-migrate) they run in an implicit transaction block';
    if (/already runs in a transaction|runner wraps/.test(m)) return 'the runner wraps the file in a transaction (squawk assumes none without --assume-in-transaction)';
    if (/inside BEGIN/.test(m)) return 'inside BEGIN ... COMMIT';
    if (pair.pgmig.includes('missing-lock-timeout')) return 'a lock squawk does not count (a new table referencing an existing one, CREATE TRIGGER, CREATE POLICY)';
    if (pair.pgmig.includes('add-column-rewrites-table')) return 'serial, identity or STORED generated column (squawk checks defaults only)';
    if (pair.pgmig.includes('validate-in-same-transaction')) return 'VALIDATE in the same transaction as ADD ... NOT VALID';
    if (pair.pgmig.includes('not-null-without-default') && /set not null/i.test(sql)) return 'SET NOT NULL without a backfill before it (squawk: adding-not-nullable-field)';
    if (pair.pgmig.includes('rename-breaks-clients') && /\bview\b/i.test(sql)) return 'view rename (squawk: tables and columns only)';
    if (pair.pgmig.includes('drop-loses-data') && /truncate/i.test(sql)) return 'TRUNCATE deletes every row (squawk\'s ban-truncate-cascade did not fire on it)';
    return 'other';
  }
  const history = createdBefore(file, index);
  if (pair.pgmig.includes('prefer-bigint')) {
    const offset = (lineStarts[finding.line] ?? 0) + finding.column;
    const seg = columnSegment(text, offset, s.start, s.end);
    if (/serial/i.test(seg)) return 'serial key: pgmig reports prefer-identity, whose fix makes it bigint';
    if (!/primary\s+key/i.test(seg)) return 'not a key column (pgmig asks bigint of keys only)';
  }
  if (table && history.sameFile.has(table)) return 'table created earlier in the same migration (empty)';
  if (pair.pgmig.includes('constraint-without-not-valid') && /primary\s+key|unique/i.test(sql)) return 'PRIMARY KEY / UNIQUE cannot be NOT VALID: pgmig reports it as constraint-builds-index';
  if ((pair.pgmig.includes('prefer-text') || pair.pgmig.includes('prefer-timestamptz')) && /alter\s+column/i.test(sql)) return 'a type change of an existing column, not a new column (column-type-change reviews it)';
  if (table && !history.seen.has(table)) return 'no earlier migration of the corpus created the table';
  if (pair.pgmig.includes('add-column-rewrites-table') && /default/i.test(sql)) return 'constant or stable default: no rewrite since PostgreSQL 11';
  if (pair.pgmig.includes('non-concurrent-index') && /\bdrop\b/i.test(sql)) return 'drop of an index no migration created';
  if (pair.pgmig.includes('column-type-change')) {
    const types = typesBefore(file, index);
    const cmds = (s.node.cmds ?? []).map((c) => c.AlterTableCmd).filter((c) => c?.subtype === 'AT_AlterColumnType');
    const typeOf = (tn) => ({ name: (str(tn?.names?.at(-1)) || '').toLowerCase().replace(/^bpchar$/, 'char'), mods: (tn?.typmods ?? []).map((m) => m?.A_Const?.ival?.ival ?? 0), array: !!tn?.arrayBounds });
    if (cmds.length && cmds.every((c) => types.has(`${table}.${c.name}`) && !c.def?.ColumnDef?.raw_default && columnTypeChange.changesWithoutRewrite(types.get(`${table}.${c.name}`), typeOf(c.def?.ColumnDef?.typeName)))) return 'binary-coercible change (no rewrite, no value check)';
  }
  if (pair.pgmig.includes('set-not-null-scans-table')) return 'not-null-without-default reports it (fails without backfill)';
  if (pair.pgmig.includes('drop-loses-data') && /truncate/i.test(sql)) return 'TRUNCATE ... CASCADE of a table no earlier migration of this file order created';
  if (pair.pgmig.includes('not-null-without-default') && /serial/i.test(sql)) return 'serial column: filled from its sequence, nothing fails';
  return 'other';
}

const squawkFiles = new Set(squawkFindings.map((f) => f.file));
const columnTypeChange = (await import(path.join(repoRoot, 'out', 'core', 'rules', 'columnTypeChange.js'))).default;

/** The column types a repository's migrations gave before statement `index` of `file` (path order). */
function typesBefore(file, index) {
  const repo = path.relative(corpusDir, file).split(path.sep)[0];
  const types = new Map();
  const typeOf = (t) => ({ name: (str(t?.names?.at(-1)) || '').toLowerCase().replace(/^bpchar$/, 'char'), mods: (t?.typmods ?? []).map((m) => m?.A_Const?.ival?.ival ?? 0), array: !!t?.arrayBounds });
  for (const f of walk(path.join(corpusDir, repo)).filter(isPostgresUp)) {
    const { statements } = fileInfo(f);
    for (let i = 0; i < statements.length; i++) {
      if (f === file && i >= index) return types;
      const s = statements[i];
      const table = tableOf(s);
      if (s.type === 'CreateStmt') for (const e of s.node.tableElts ?? []) if (e.ColumnDef?.typeName) types.set(`${table}.${e.ColumnDef.colname}`, typeOf(e.ColumnDef.typeName));
      if (s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_COLUMN' && types.has(`${table}.${s.node.subname}`)) types.set(`${table}.${s.node.newname}`, types.get(`${table}.${s.node.subname}`));
      if (s.type === 'AlterTableStmt') {
        for (const c of s.node.cmds ?? []) {
          const cmd = c.AlterTableCmd;
          const def = cmd?.def?.ColumnDef;
          if (def?.typeName) types.set(`${table}.${def.colname ?? cmd.name}`, typeOf(def.typeName));
        }
      }
    }
  }
  return types;
}

/** The text of the column definition around `offset` (between the enclosing commas or parentheses, inside the
 * statement [from, to)). */
function columnSegment(text, offset, from, to) {
  let a = offset;
  let depth = 0;
  while (a > from) {
    const ch = text[a - 1];
    if (ch === ')') depth++;
    else if (ch === '(' && depth-- === 0) break;
    else if (ch === ',' && depth === 0) break;
    a--;
  }
  let b = offset;
  depth = 0;
  while (b < to) {
    const ch = text[b];
    if (ch === '(') depth++;
    else if (ch === ')' && depth-- === 0) break;
    else if (ch === ',' && depth === 0) break;
    b++;
  }
  return text.slice(a, b);
}

const keyOf = (pair, f) => {
  if (pair.unit === 'file') return f.file;
  const i = statementAt(f.file, f.line, f.column);
  return i < 0 ? undefined : `${f.file}#${i}`;
};
const rel = (f) => path.relative(corpusDir, f);

console.log(`squawk ${spawnSync(squawkBin, ['--version'], { encoding: 'utf8' }).stdout.trim()} and pgmig over ${fileCount} PostgreSQL up-migration files of ${repos.length} repositories (${corpusDir})\n`);
const rows = [];
const details = [];
for (const pair of PAIRS) {
  const byKey = new Map();
  const keys = (list, rules, side) => {
    const out = new Set();
    for (const f of list) {
      if (!rules.includes(f.rule)) continue;
      const k = keyOf(pair, f);
      if (!k) continue;
      out.add(k);
      if (!byKey.has(side + k)) byKey.set(side + k, f);
    }
    return out;
  };
  const S = keys(squawkFindings, pair.squawk, 'squawk');
  const P = keys(pgmigFindings, pair.pgmig, 'pgmig');
  const both = [...S].filter((k) => P.has(k)).length;
  const label = `${pair.squawk.join(' + ')} / ${pair.pgmig.join(' + ')}`;
  rows.push({ label, squawk: S.size, pgmig: P.size, both, agreement: S.size + P.size - both ? both / (S.size + P.size - both) : 1 });
  for (const [side, mine, other] of [['squawk', S, P], ['pgmig', P, S]]) {
    const classes = new Map();
    for (const k of mine) {
      if (other.has(k)) continue;
      const [file, idx] = pair.unit === 'file' ? [k, 0] : [k.slice(0, k.lastIndexOf('#')), Number(k.slice(k.lastIndexOf('#') + 1))];
      const finding = byKey.get(side + k);
      const c = pair.unit === 'file' && side === 'squawk' ? 'the file locks only tables it creates itself, or that no earlier migration created' : classify(pair, file, pair.unit === 'file' ? statementAt(file, finding.line, finding.column) : idx, side, finding);
      if (!classes.has(c)) classes.set(c, []);
      const { statements, text, lineStarts } = fileInfo(file);
      const s = statements[idx];
      const line = s ? lineStarts.findLastIndex((x) => x <= s.start) + 1 : 1;
      classes.get(c).push(`${rel(file)}:${line}  ${s ? text.slice(s.start, Math.min(s.end, s.start + 90)).replace(/\s+/g, ' ') : ''}`);
    }
    if (classes.size) details.push({ label, side, classes });
  }
}

const pad = (s, n) => String(s).padEnd(n);
const width = Math.max(...rows.map((r) => r.label.length));
console.log(`${pad('squawk rule / pgmig rule', width)}  squawk  pgmig   both  agreement`);
for (const r of rows) console.log(`${pad(r.label, width)}  ${pad(r.squawk, 6)}  ${pad(r.pgmig, 6)}  ${pad(r.both, 5)}  ${(r.agreement * 100).toFixed(0)}%`);
console.log('\nDifferences, classified (count, then a sample):');
for (const d of details) {
  console.log(`\n${d.label}: only ${d.side}`);
  for (const [c, list] of [...d.classes].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${list.length}  ${c}`);
    for (const ex of list.slice(0, SAMPLE)) console.log(`       ${ex}`);
  }
}
