// The projects the server knows, their latest completed analyses, and the scheduling of re-analysis. One Analyzer
// per project root (it caches parsed scripts by text and the committed model), one shared Analyzer for files that
// belong to no project. Analysis runs in slices between messages: a request is served from the latest completed
// analysis and never waits for a running one.
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type Analysis, Analyzer } from '../core/analysis';
import { ConfigError, findProjectRoot, isProjectRoot, loadProject, type Project } from '../core/project';
import { preparePythonSyntaxErrors } from '../core/layouts/alembicGraph';
import { rules } from '../core/rules';
import type { Finding } from '../core/types';
import type { Files } from './files';

export interface EditorSettings {
  rules?: Record<string, string>;
  excludedSchemas?: string[];
  excludedTables?: string[];
  /** `.sql` files outside a migrations project: 'syntax' errors only (the default) or 'allRules'. */
  filesOutsideProjects?: string;
}

/**
 * The rules of a `.sql` file that is no migration (a psql script, a query, a file outside any project): syntax errors
 * only, unless the user asks for all rules. A scratch query is no table design: missing-rls or an unindexed foreign
 * key there is noise (the CLI still lints a path it is given with every rule).
 */
function syntaxOnly(s: EditorSettings | undefined): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(rules.filter((r) => r.id !== 'syntax-error').map((r) => [r.id, 'off']));
  const syntax = s?.rules?.['syntax-error'];
  if (syntax) out['syntax-error'] = syntax;
  return out;
}

/** A completed analysis and the file texts it saw (positions of its findings are offsets into those texts). */
export interface Snapshot {
  analysis: Analysis;
  texts: Map<string, string>;
  /** Editor versions of the open documents the analysis saw. */
  versions: Map<string, number>;
  generation: number;
}

export interface Unit {
  /** The project root, or the file for a standalone unit. */
  key: string;
  kind: 'project' | 'standalone';
  analyzer: Analyzer;
  project?: Project;
  configError?: ConfigError;
  snapshot?: Snapshot;
  /** Bumped on every change that affects the unit; a run whose generation is stale is dropped. */
  generation: number;
  lastChangeAt: number;
  /** Files this unit published non-empty diagnostics for, with what was published. */
  published: Map<string, string>;
  /** Set while edits arrive faster than the debounce: the unit waits for a pause. */
  burst?: boolean;
  /** Whether it was warmed up after its first analysis (see warmUp). */
  warmed?: boolean;
}

const DEBOUNCE_MS = 60;
/** Idle time after an analysis before collecting garbage (see scheduleIdleGc): a pause in typing, not between
 * keystrokes (a full collection right before the next analysis makes that analysis slower). */
const IDLE_GC_MS = 1000;
/** V8's gc(), reachable without --expose-gc on the command line (clients start the server with plain `node`). */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();
/** Warm-up after a project's first analysis (see warmUp): only when current.sql is long enough for edits to be
 * re-parsed incrementally (core/sql/incrementalParse.ts), for at most this many re-analyses or this much time. */
const WARM_UP_MIN_CHARS = 4096;
const WARM_UP_RUNS = 16;
const WARM_UP_BUDGET_MS = 500;
/** Quiet time required before analysing when several units wait. */
const BULK_QUIET_MS = 20;
/** PGMIG_LSP_TIMING=1 logs how long each analysis took. */
const TIMING = process.env.PGMIG_LSP_TIMING === '1';
/** Slices of analysis run at most this long before letting queued messages through. */
const SLICE_MS = 8;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', 'target', 'vendor']);

export interface WorkspaceHost {
  files: Files;
  log(message: string): void;
  /** Called with each completed analysis; the host publishes diagnostics. */
  analysed(unit: Unit, snapshot: Snapshot, previous: Snapshot | undefined): void;
  /** Called when a unit goes away (its diagnostics must be cleared). */
  removed(unit: Unit): void;
  /** The editor settings for a project root (or undefined for standalone files). */
  settingsFor(root: string | undefined): EditorSettings | undefined;
  /** Versions of open documents. */
  versionOf(file: string): number | undefined;
}

export class Workspace {
  readonly projects = new Map<string, Unit>();
  readonly standalone = new Map<string, Unit>();
  private readonly standaloneAnalyzer: Analyzer;
  private readonly queue = new Set<Unit>();
  private running = false;
  /** Resolvers waiting for the queue to drain (tests and the benchmark use this through a request). */
  private idleWaiters: (() => void)[] = [];
  analysesCompleted = 0;
  private changeCount = 0;
  private lastAnyChange = -Infinity;

  constructor(private readonly host: WorkspaceHost) {
    this.standaloneAnalyzer = new Analyzer(host.files.fs);
  }

  // ---- which unit a file belongs to ---------------------------------------------------------------------------

  /** The project whose root is at or above `file`, creating it when a root is found on disk. */
  projectFor(file: string): Unit | undefined {
    let best: Unit | undefined;
    for (const u of this.projects.values()) {
      if (isInside(u.key, file) && (!best || u.key.length > best.key.length)) best = u;
    }
    if (best && !(best.project && this.isOrphan(best, file))) return best;
    const root = file.includes('__pgmig_untitled__') ? undefined : findProjectRoot(this.host.files.fs, path.dirname(file));
    if (root && !this.projects.has(root)) return this.addProject(root);
    return root ? this.projects.get(root) : best;
  }

  /** A file inside a project folder that plays no role in it (e.g. a down script) is analysed on its own. */
  private isOrphan(unit: Unit, file: string): boolean {
    const p = unit.project!;
    if (p.currentFiles.includes(file) || p.committedFiles.includes(file) || p.fixtureFiles.includes(file)) return false;
    // A new file the project lists do not know yet: its folder decides.
    const dir = path.dirname(file);
    if (dir === p.committedDir || isInside(p.fixturesDir, file) || file === path.join(p.migrationsDir, 'current.sql')) return false;
    if (p.currentIsFolder && dir === path.join(p.migrationsDir, 'current')) return false;
    return true;
  }

  addProject(root: string): Unit {
    const existing = this.projects.get(root);
    if (existing) return existing;
    const unit: Unit = {
      key: root,
      kind: 'project',
      analyzer: new Analyzer(this.host.files.fs),
      generation: 0,
      lastChangeAt: -Infinity,
      published: new Map(),
    };
    this.projects.set(root, unit);
    this.reload(unit);
    this.host.log(`project ${root}: ${unit.project ? `${unit.project.committedFiles.length} committed, ${unit.project.currentFiles.length} current, ${unit.project.fixtureFiles.length} fixture files` : unit.configError?.message}`);
    return unit;
  }

  /** Re-reads the project's settings and file lists (after files were created, deleted or renamed). */
  reload(unit: Unit): void {
    if (unit.kind !== 'project') return;
    try {
      unit.project = loadProject(this.host.files.fs, unit.key);
      unit.configError = undefined;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      unit.project = undefined;
      unit.configError = e;
      this.host.log(e.message);
    }
  }

  removeProject(unit: Unit): void {
    this.projects.delete(unit.key);
    this.queue.delete(unit);
    unit.generation++;
    this.host.removed(unit);
  }

  standaloneFor(file: string): Unit {
    let unit = this.standalone.get(file);
    if (!unit) {
      unit = { key: file, kind: 'standalone', analyzer: this.standaloneAnalyzer, generation: 0, lastChangeAt: -Infinity, published: new Map() };
      this.standalone.set(file, unit);
    }
    return unit;
  }

  /** The unit that analyses `file`: its project when it plays a role there, else a standalone unit. */
  unitFor(file: string): Unit {
    const p = this.projectFor(file);
    if (p && p.project && !this.isOrphan(p, file)) return p;
    return this.standaloneFor(file);
  }

  /** Units whose latest analysis covers `file` (a fixture can be in a project and open on its own). */
  snapshotFor(file: string): { unit: Unit; snapshot: Snapshot } | undefined {
    const unit = this.unitFor(file);
    if (unit.snapshot) return { unit, snapshot: unit.snapshot };
    return undefined;
  }

  /** Scans folders for project roots (bounded depth, skipping dependency and VCS folders). */
  scan(folder: string, depth = 4): void {
    const fs = this.host.files.fs;
    const visit = (dir: string, d: number) => {
      if (isProjectRoot(fs, dir)) {
        this.addProject(fs.realpath(dir) ?? dir);
      }
      if (d >= depth) return;
      for (const name of fs.list(dir)) {
        if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
        const full = path.join(dir, name);
        if (name === 'migrations' || name === 'committed' || name === 'fixtures') continue;
        if (fs.isDirectory(full)) visit(full, d + 1);
      }
    };
    visit(folder, 0);
  }

  // ---- scheduling ---------------------------------------------------------------------------------------------

  /** Marks a unit changed. After a quiet spell it is analysed at once; during a burst of edits, once they pause. */
  changed(unit: Unit, immediate = false): void {
    const now = performance.now();
    unit.burst = !immediate && now - unit.lastChangeAt < DEBOUNCE_MS * 2;
    unit.lastChangeAt = now;
    unit.generation++;
    this.changeCount++;
    this.lastAnyChange = now;
    this.queue.add(unit);
    this.kick();
  }

  changedAll(): void {
    for (const u of this.projects.values()) this.changed(u, true);
    for (const u of this.standalone.values()) if (this.host.files.isOpen(u.key)) this.changed(u, true);
  }

  private kick(): void {
    if (this.running || this.kicked) return;
    this.kicked = true;
    // After the messages already queued (a burst of didChange coalesces into one run).
    setImmediate(() => {
      this.kicked = false;
      void this.drain();
    });
  }
  private kicked = false;

  /** Resolves when no analysis is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        await this.drainQueue();
        // Nothing to do: warm up a project analysed once, until a change comes (then back to the queue).
        const cold = [...this.projects.values()].find((u) => !u.warmed && u.snapshot !== undefined);
        if (!cold) break;
        cold.warmed = true;
        await this.warmUp(cold);
      }
    } finally {
      this.running = false;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
    this.scheduleIdleGc();
  }

  /**
   * The first edits after the server starts run code V8 has not optimised yet (the incremental parse, the replay
   * from a checkpoint, the rules on a cloned model): in a 1,000-migration project they took 25-40 ms where later
   * ones take 10. So after a project's first diagnostics are out, it is re-analysed a few times with a throwaway edit
   * of its current.sql (a blank added mid-file, then the text as it is), published nowhere. The edited text is in
   * the overlay only while one synchronous analysis runs, so nothing else ever sees it; the analyzer's caches are
   * keyed by text, so whatever run is last, the next real one is correct. A change queued meanwhile stops it.
   */
  private async warmUp(unit: Unit): Promise<void> {
    const project = unit.project;
    const file = project?.currentFiles[0];
    if (!project || !file) return;
    const overlay = this.host.files.fs.overlay;
    const original = this.host.files.fs.read(file);
    if (original === undefined || original.length < WARM_UP_MIN_CHARS) return;
    const mid = original.indexOf('\n', original.length >> 1);
    if (mid < 0) return;
    const edited = original.slice(0, mid) + ' ' + original.slice(mid);
    const started = performance.now();
    const generation = unit.generation;
    for (let i = 0; i < WARM_UP_RUNS && performance.now() - started < WARM_UP_BUDGET_MS; i++) {
      if (this.queue.size > 0 || unit.generation !== generation || !this.projects.has(unit.key)) {
        if (TIMING) this.host.log(`warm-up of ${unit.key} stopped by a change after ${i} runs`);
        return;
      }
      const open = overlay.get(file);
      overlay.set(file, i % 2 === 0 ? edited : original);
      try {
        unit.analyzer.analyzeProject(project, this.override(unit));
      } catch {
        return; // the real analysis reports whatever this ran into
      } finally {
        if (open === undefined) overlay.delete(file);
        else overlay.set(file, open);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (TIMING) this.host.log(`warmed up ${unit.key} in ${(performance.now() - started).toFixed(1)} ms`);
  }

  private async drainQueue(): Promise<void> {
    let seen = -1;
    while (this.queue.size > 0) {
      // While changes keep arriving (one message per turn of the event loop: a burst of didOpen/didChange), let
      // them, and the requests queued behind them, through before analysing anything.
      if (seen !== this.changeCount) {
        seen = this.changeCount;
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // Many files at once (a folder opened, a branch switched): wait until their messages stop coming, which can
      // take longer than one turn when big documents arrive in pieces.
      if (this.queue.size > 1 && performance.now() - this.lastAnyChange < BULK_QUIET_MS) {
        await new Promise((resolve) => setTimeout(resolve, BULK_QUIET_MS / 2));
        continue;
      }
      // Units changed most recently wait their debounce; take the first one that is due.
      const now = performance.now();
      let next: Unit | undefined;
      let wait = Infinity;
      for (const u of this.queue) {
        const burstEnd = u.lastChangeAt + DEBOUNCE_MS;
        const due = this.isBursting(u) ? burstEnd : 0;
        if (due <= now) {
          next = u;
          break;
        }
        wait = Math.min(wait, due - now);
      }
      if (!next) {
        await new Promise((r) => setTimeout(r, Math.max(1, wait)));
        continue;
      }
      this.queue.delete(next);
      await this.analyse(next);
      // Let queued messages (requests, cancellations, edits) through between units.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Each analysis leaves the previous one's model and scripts behind, and V8 keeps the memory they took. When the
   * server has been idle for a second and the heap has grown, collect and give memory back (a 1,000-migration
   * project: about 240 MB resident after a run of edits, 160 MB after this).
   */
  private scheduleIdleGc(): void {
    if (!collectGarbage) return;
    clearTimeout(this.gcTimer);
    this.gcTimer = setTimeout(() => {
      if (this.running || this.queue.size > 0) return;
      const used = process.memoryUsage().heapUsed;
      if (used < this.heapAfterGc * 1.2 + 8e6) return;
      collectGarbage!();
      this.heapAfterGc = process.memoryUsage().heapUsed;
    }, IDLE_GC_MS);
    this.gcTimer.unref();
  }
  private gcTimer: NodeJS.Timeout | undefined;
  private heapAfterGc = 0;

  private isBursting(u: Unit): boolean {
    return u.burst === true && performance.now() - u.lastChangeAt < DEBOUNCE_MS;
  }

  /** Runs one unit's analysis in slices; drops it when the unit changed meanwhile (it is queued again then). */
  private async analyse(unit: Unit): Promise<void> {
    // A standalone file closed while it waited: nothing to show it to.
    if (unit.kind === 'standalone' && this.standalone.get(unit.key) !== unit) return;
    const generation = unit.generation;
    // An Alembic project's version files are compiled by Python (its rules): asked here without blocking, so that
    // the analysis finds the answers cached instead of holding every request while Python starts.
    const alembicFolder = unit.kind === 'project' && unit.project?.layout === 'alembic' ? unit.project.layoutProject?.folder : undefined;
    if (alembicFolder) {
      const fsys = this.host.files.fs;
      const texts = fsys.list(alembicFolder).filter((n) => n.endsWith('.py')).map((n) => fsys.read(path.join(alembicFolder, n)) ?? '');
      await preparePythonSyntaxErrors(texts);
      if (unit.generation !== generation || !this.projects.has(unit.key)) return;
    }
    const files = this.host.files;
    const started = performance.now();
    const cpuStarted = TIMING ? process.cpuUsage() : undefined;
    let analysis: Analysis | undefined;
    // What the analysis reads is fixed when it starts: the overlay's texts right now.
    const texts = new Map(files.fs.overlay);
    const versions = new Map<string, number>();
    for (const f of texts.keys()) {
      const v = this.host.versionOf(f);
      if (v !== undefined) versions.set(f, v);
    }
    try {
      if (unit.kind === 'project') {
        if (!unit.project) {
          // Broken settings: report them, analyse nothing of this project until they are fixed.
          analysis = undefined;
        } else {
          const steps = unit.analyzer.analyzeProjectInSteps(unit.project, this.override(unit));
          let sliceStart = Date.now();
          for (;;) {
            const r = steps.next();
            if (r.done) {
              analysis = r.value;
              break;
            }
            if (Date.now() - sliceStart >= SLICE_MS) {
              await new Promise((resolve) => setImmediate(resolve));
              // Stale (newer edits queued it again) or gone: stop; what was parsed so far stays cached.
              if (unit.generation !== generation || !this.projects.has(unit.key)) return;
              sliceStart = Date.now();
            }
          }
        }
      } else {
        analysis = unit.analyzer.analyzeStandalone(unit.key, this.override(unit));
      }
    } catch (e: any) {
      if (e instanceof ConfigError) {
        // Bad editor settings: analyse with the project's own settings and say why.
        this.host.log(`settings ignored: ${e.message}`);
        analysis = unit.kind === 'project' && unit.project ? unit.analyzer.analyzeProject(unit.project) : unit.analyzer.analyzeStandalone(unit.key);
      } else {
        this.host.log(`analysis of ${unit.key} failed: ${e?.stack ?? e}`);
        return;
      }
    }
    if (unit.kind === 'project' && !this.projects.has(unit.key)) return;
    if (unit.generation !== generation) {
      // Newer edits arrived while this ran; it is queued again and its parse work is cached for that run.
      return;
    }
    this.analysesCompleted++;
    const previous = unit.snapshot;
    if (analysis) {
      // Open buffers may change before a request comes; files on disk are re-analysed when they change (watcher).
      unit.snapshot = { analysis, texts, versions, generation };
    }
    const analysedAt = performance.now();
    this.host.analysed(unit, unit.snapshot!, previous);
    const elapsed = analysedAt - started;
    const cpu = cpuStarted ? process.cpuUsage(cpuStarted) : undefined;
    const cpuText = cpu ? `, cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms` : '';
    if (elapsed > 500 || TIMING) this.host.log(`analysed ${unit.key} in ${elapsed.toFixed(1)} ms${cpuText} (queued ${(started - unit.lastChangeAt).toFixed(1)} ms after the change, published in ${(performance.now() - analysedAt).toFixed(1)} ms)`);
  }

  private override(unit: Unit): EditorSettings | undefined {
    const s = this.host.settingsFor(unit.kind === 'project' ? unit.key : undefined);
    if (unit.kind === 'standalone' && s?.filesOutsideProjects !== 'allRules') return { rules: syntaxOnly(s) };
    if (!s) return undefined;
    const out: EditorSettings = {};
    if (s.rules && Object.keys(s.rules).length > 0) out.rules = s.rules;
    if (Array.isArray(s.excludedSchemas) && s.excludedSchemas.length > 0) {
      // Editor schemas add to the project's (pgmig.json or the defaults), they do not replace them.
      const base = unit.project?.config.excludedSchemas ?? [];
      out.excludedSchemas = [...new Set([...base, ...s.excludedSchemas])];
    }
    if (Array.isArray(s.excludedTables) && s.excludedTables.length > 0) {
      out.excludedTables = [...new Set([...(unit.project?.config.excludedTables ?? []), ...s.excludedTables])];
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
}

export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function findingsByFile(findings: Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = out.get(f.file);
    if (!list) out.set(f.file, (list = []));
    list.push(f);
  }
  return out;
}
