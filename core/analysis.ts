// The analysis pipeline, one way: files -> include expansion (source map) -> statements -> schema model -> rules
// -> findings. An Analyzer keeps what it computed keyed by the text it came from, so re-analysing after an edit of
// current.sql re-parses only current.sql (and the fixtures it includes) and replays only current on a copy of the
// committed history's model.
import path from 'node:path';
import { type FileSystem, diskFileSystem } from './fileSystem';
import { expandIncludes, type Expansion } from './includes';
import { parseScript } from './parser';
import { type PgmigConfig, type Project, DEFAULT_EXCLUDED_SCHEMAS, mergeConfig } from './project';
import type { AppendTarget, Rule, RuleContext } from './rule';
import { rules as allRules } from './rules';
import { SchemaModel } from './schema/model';
import { Replayer } from './schema/replay';
import type { Script } from './script';
import { applyIgnoreComments } from './ignoreComments';
import type { FileRole, Finding, RuleId, Severity } from './types';

export interface Analysis {
  project: Project | undefined;
  scripts: Script[];
  model: SchemaModel;
  /** The model after the committed history only (before current). */
  committedModel: SchemaModel;
  findings: Finding[];
  config: PgmigConfig;
}

interface CachedScript {
  text: string;
  script: Script;
}

export class Analyzer {
  private readonly scriptCache = new Map<string, CachedScript>();
  private committed: { scripts: Script[]; model: SchemaModel } | undefined;
  /** How many scripts were parsed (not found in the cache) so far. */
  parses = 0;

  constructor(
    readonly fs: FileSystem = diskFileSystem,
    private readonly ruleSet: readonly Rule[] = allRules,
  ) {}

  /** Analyses a whole project. `configOverride` (e.g. editor settings) is merged over pgmig.json. */
  analyzeProject(project: Project, configOverride?: unknown): Analysis {
    const steps = this.analyzeProjectInSteps(project, configOverride);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The same analysis, yielding after each file it had to parse, so that a long-running host (the language server)
   * can answer requests between files and drop a run that newer edits made stale.
   */
  *analyzeProjectInSteps(project: Project, configOverride?: unknown): Generator<void, Analysis, void> {
    const config = configOverride === undefined ? project.config : mergeConfig(project.config, configOverride, 'settings');
    const placeholders = project.placeholders;

    const committedScripts: Script[] = [];
    for (const f of project.committedFiles) {
      const before = this.parses;
      committedScripts.push(this.script(f, 'committed', undefined, placeholders));
      if (this.parses !== before) yield;
    }
    let committed = this.committed;
    if (!committed || committed.scripts.length !== committedScripts.length || committed.scripts.some((s, i) => s !== committedScripts[i])) {
      const model = new SchemaModel();
      const r = new Replayer(model);
      for (const s of committedScripts) r.replayScript(s);
      committed = { scripts: committedScripts, model };
      this.committed = committed;
    }

    const currentScripts = project.currentFiles.map((f) => this.script(f, 'current', project.fixturesDir, placeholders));
    const model = committed.model.clone();
    const r = new Replayer(model);
    for (const s of currentScripts) r.replayScript(s);

    // Fixtures that current does not include still get the per-file checks, on their own.
    const included = new Set<string>();
    for (const s of currentScripts) for (const f of s.expansion.fixtures) included.add(f);
    const loose = project.fixtureFiles
      .filter((f) => !included.has(this.fs.realpath(f) ?? f))
      .map((f) => this.script(f, 'fixture', project.fixturesDir, placeholders));

    const scripts = [...committedScripts, ...currentScripts, ...loose];
    this.prune(scripts);
    const findings = this.runRules({
      project,
      scripts,
      model,
      config,
      appendTarget: this.appendTarget(project),
      readFile: memoRead(this.fs),
    });
    return { project, scripts, model, committedModel: committed.model, findings, config };
  }

  /** Analyses a file that belongs to no project: no history, no includes. */
  analyzeStandalone(file: string, configOverride?: unknown): Analysis {
    const base: PgmigConfig = { rules: {}, excludedSchemas: [...DEFAULT_EXCLUDED_SCHEMAS], excludedTables: [] };
    const config = configOverride === undefined ? base : mergeConfig(base, configOverride, 'settings');
    const script = this.script(path.resolve(file), 'standalone', undefined, undefined);
    const model = new SchemaModel();
    new Replayer(model).replayScript(script);
    const findings = this.runRules({
      project: undefined,
      scripts: [script],
      model,
      config,
      appendTarget: undefined,
      readFile: memoRead(this.fs),
    });
    return { project: undefined, scripts: [script], model, committedModel: new SchemaModel(), findings, config };
  }

  private script(file: string, role: FileRole, fixturesDir: string | undefined, placeholders: ReadonlySet<string> | undefined): Script {
    const text = this.fs.read(file) ?? '';
    let expansion: Expansion;
    if (fixturesDir !== undefined && text.includes('--!')) {
      expansion = expandIncludes(this.fs, file, text, fixturesDir);
    } else {
      expansion = { file, text, segments: [{ start: 0, end: text.length, file, fileStart: 0 }], directives: [], problems: [], fixtures: new Set() };
    }
    const key = `${role}\0${file}`;
    const cached = this.scriptCache.get(key);
    if (cached && cached.text === expansion.text && sameProblems(cached.script.expansion, expansion)) {
      return cached.script;
    }
    this.parses++;
    const script: Script = { file, role, expansion, parsed: parseScript(expansion.text, { placeholders }) };
    this.scriptCache.set(key, { text: expansion.text, script });
    return script;
  }

  /** Forgets scripts of files that are gone, so a long-running server does not grow. */
  private prune(live: Script[]): void {
    if (this.scriptCache.size <= live.length * 2 + 16) return;
    const keep = new Set(live.map((s) => `${s.role}\0${s.file}`));
    for (const k of this.scriptCache.keys()) if (!keep.has(k)) this.scriptCache.delete(k);
  }

  private appendTarget(project: Project): AppendTarget | undefined {
    const file = project.currentIsFolder ? project.currentFiles[project.currentFiles.length - 1] : path.join(project.migrationsDir, 'current.sql');
    if (!file) return undefined;
    const text = this.fs.read(file) ?? '';
    const separator = text.length === 0 ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return { file, offset: text.length, separator };
  }

  private runRules(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const rule of this.ruleSet) {
      const setting = ctx.config.rules[rule.id] ?? rule.defaultSeverity;
      if (setting === 'off') continue;
      const severity: Severity = setting;
      for (const v of rule.check(ctx)) {
        const key = `${rule.id}\0${v.location.file}\0${v.location.start}\0${v.location.end}\0${v.message}`;
        if (seen.has(key)) continue; // a fixture included twice reports once
        seen.add(key);
        findings.push({
          rule: rule.id,
          severity,
          message: v.message,
          ...v.location,
          fixes: v.fixes ?? [],
          related: v.related ?? [],
        });
      }
    }
    const kept = applyIgnoreComments(findings, ctx.scripts, ctx.readFile);
    kept.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end || (a.rule < b.rule ? -1 : 1)));
    return kept;
  }
}

/** Reads each file once per analysis: rules ask for the same file many times when building fixes. */
function memoRead(fs: FileSystem): (file: string) => string | undefined {
  const texts = new Map<string, string | undefined>();
  return (file) => {
    if (!texts.has(file)) texts.set(file, fs.read(file));
    return texts.get(file);
  };
}

function sameProblems(a: Expansion, b: Expansion): boolean {
  if (a.problems.length !== b.problems.length || a.segments.length !== b.segments.length) return false;
  for (let i = 0; i < a.segments.length; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (x.file !== y.file || x.fileStart !== y.fileStart || x.start !== y.start) return false;
  }
  return true;
}

export function ruleIds(): RuleId[] {
  return allRules.map((r) => r.id);
}
