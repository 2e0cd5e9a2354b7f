// The analysis pipeline, one way: files -> include expansion (source map) -> statements -> schema model -> rules
// -> findings. An Analyzer keeps what it computed keyed by the text it came from, so re-analysing after an edit of
// current.sql re-parses only current.sql (and the fixtures it includes) and replays only current on a copy of the
// committed history's model.
import path from 'node:path';
import { type FileSystem, diskFileSystem } from './fileSystem';
import { expandIncludes, type Expansion } from './includes';
import { HelperFailed, PARALLEL_PARSE_MIN, parseInParallel, type PieceParser } from './sql/parallelParse';
import { parseScript, type Statement, withErrors } from './sql/parser';
import { encodingErrors } from './badBytes';
import { reparseScript } from './sql/incrementalParse';
import { parseTextFor } from './layouts/psql';
import { type PgmigConfig, type Project, DEFAULT_EXCLUDED_SCHEMAS, mergeConfig } from './project';
import type { AppendTarget, Rule, RuleContext } from './rule';
import { rules as allRules } from './rules';
import { SchemaModel } from './schema/model';
import { type ReplayOptions, Replayer } from './schema/replay';
import type { Script } from './script';
import { applyIgnoreComments } from './ignoreComments';
import { inKeywordCase, keywordCaseOf, type KeywordCase } from './keywordCase';
import type { FileRole, Finding, Fix, Severity } from './types';

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
  placeholders: ReadonlySet<string> | undefined;
}

export class Analyzer {
  /** By file, then role: the file strings of a project are the same objects on every run, so the lookup of 1,000
   * committed files hashes no new key strings. */
  private readonly scriptCache = new Map<string, Map<FileRole, CachedScript>>();
  private committed: { scripts: Script[]; model: SchemaModel } | undefined;
  /** The last replay of current, for replaying only what an edit changed. */
  private current: { committedModel: SchemaModel; steps: ReplayStep[]; checkpoint?: { index: number; model: SchemaModel } } | undefined;
  /** How many scripts were parsed (not found in the cache) so far. */
  parses = 0;
  /** The root of the project being analysed: include messages name paths relative to it. */
  private displayRoot: string | undefined;

  private readonly replayOptions: ReplayOptions;

  private readonly fixesAsWritten: boolean;
  /** The keyword case of each file fixes went into, by its text (fitFix). */
  private readonly keywordCases = new Map<string, { text: string; case: KeywordCase | undefined }>();

  constructor(
    readonly fs: FileSystem = diskFileSystem,
    private readonly ruleSet: readonly Rule[] = allRules,
    options: ReplayOptions & {
      /** Fixes exactly as the rules write them, without fitFix (the rule cases state each rule's own output). */
      fixesAsWritten?: boolean;
    } = {},
  ) {
    this.replayOptions = options;
    this.fixesAsWritten = options.fixesAsWritten === true;
  }

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
    this.displayRoot = project.root;

    const committedScripts: Script[] = [];
    for (const f of project.committedFiles) {
      const before = this.parses;
      committedScripts.push(this.script(f, 'committed', undefined, placeholders, project.layout));
      if (this.parses !== before) yield;
    }
    let committed = this.committed;
    if (!committed || committed.scripts.length !== committedScripts.length || committed.scripts.some((s, i) => s !== committedScripts[i])) {
      const model = new SchemaModel();
      const r = new Replayer(model, this.replayOptions);
      for (let i = 0; i < committedScripts.length; i++) {
        r.replayScript(committedScripts[i]);
        if (i % 50 === 49) yield;
      }
      committed = { scripts: committedScripts, model: model.seal() };
      this.committed = committed;
    }

    const currentScripts = project.currentFiles.map((f) => this.script(f, 'current', project.fixturesDir, placeholders));
    const model = this.replayCurrent(committed.model, currentScripts);

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
    const script = this.script(path.resolve(file), 'standalone', undefined, undefined);
    const model = new SchemaModel();
    new Replayer(model, this.replayOptions).replayScript(script);
    return this.standaloneFindings(script, model, configOverride);
  }

  /**
   * analyzeStandalone for a large file, parsed on this thread and `helper`'s at once (parallelParse.ts), each piece
   * replayed as soon as it is parsed. The same result; a file that does not parse goes the sequential way.
   */
  async analyzeStandaloneInParallel(file: string, helper: PieceParser, configOverride?: unknown): Promise<Analysis> {
    file = path.resolve(file);
    const text = this.fs.read(file) ?? '';
    // Text with U+FFFD may have bytes that are not UTF-8 to report: the one-thread path does that.
    if (text.length < PARALLEL_PARSE_MIN || text.includes('\uFFFD')) return this.analyzeStandalone(file, configOverride);
    const script: Script = { file, role: 'standalone', expansion: wholeFile(file, text), parsed: { text, statements: [], errors: [] } };
    const model = new SchemaModel();
    const replayer = new Replayer(model, this.replayOptions);
    replayer.begin();
    let parsed: boolean;
    try {
      parsed = await parseInParallel(
        text,
        helper,
        (statements) => {
          for (const s of statements) {
            script.parsed.statements.push(s);
            replayer.apply(script, s);
          }
        },
        { deferUnread: this.replayOptions.references === false },
      );
    } catch (e) {
      // The helper thread died (out of memory, killed): this thread does it all. Its own failures are real ones.
      if (!(e instanceof HelperFailed)) throw e;
      parsed = false;
    }
    if (!parsed) return this.analyzeStandalone(file, configOverride);
    this.parses++;
    this.cache(script, text, undefined);
    return this.standaloneFindings(script, model, configOverride);
  }

  private standaloneFindings(script: Script, model: SchemaModel, configOverride: unknown): Analysis {
    const base: PgmigConfig = { rules: {}, excludedSchemas: [...DEFAULT_EXCLUDED_SCHEMAS], excludedTables: [] };
    const config = configOverride === undefined ? base : mergeConfig(base, configOverride, 'settings');
    const findings = this.runRules({
      project: undefined,
      scripts: [script],
      model,
      config,
      appendTarget: undefined,
      // The file as read for the script (a standalone script is the file itself): fixes and ignore comments read it
      // again otherwise. An empty text may stand for an unreadable file, which the disk answers for.
      readFile: memoRead(this.fs, script.expansion.text ? [[script.file, script.expansion.text]] : []),
    });
    return { project: undefined, scripts: [script], model, committedModel: new SchemaModel(), findings, config };
  }

  /** `layout`: numbered files may hold psql meta-commands, Drizzle files end statements at breakpoints (layouts/psql.ts). */
  private script(file: string, role: FileRole, fixturesDir: string | undefined, placeholders: ReadonlySet<string> | undefined, layout?: string): Script {
    const text = this.fs.read(file) ?? '';
    const cached = this.scriptCache.get(file)?.get(role);
    const includes = fixturesDir !== undefined && text.includes('--!');
    // Fast path for files without includes (every committed file): the same text is the same script.
    if (!includes && cached && cached.text === text && cached.script.expansion.segments.length === 1) return cached.script;
    let expansion: Expansion;
    if (includes) {
      expansion = expandIncludes(this.fs, file, text, fixturesDir!, this.displayRoot);
    } else {
      expansion = wholeFile(file, text);
    }
    if (cached && cached.text === expansion.text && sameProblems(cached.script.expansion, expansion)) {
      return cached.script;
    }
    this.parses++;
    // An edit of a file parsed before (typing in current.sql) re-parses only the statements it touched.
    const options = { placeholders, deferUnread: this.replayOptions.references === false };
    const parseText = parseTextFor(layout, expansion.text);
    let parsed = cached && cached.placeholders === placeholders ? reparseScript(cached.script.parsed, parseText, options) : parseScript(parseText, options);
    parsed = withErrors(parsed, encodingErrors(this.fs, expansion));
    const script: Script = { file, role, expansion, parsed };
    this.cache(script, expansion.text, placeholders);
    return script;
  }

  private cache(script: Script, text: string, placeholders: ReadonlySet<string> | undefined): void {
    let byRole = this.scriptCache.get(script.file);
    if (!byRole) this.scriptCache.set(script.file, (byRole = new Map()));
    byRole.set(script.role, { text, script, placeholders });
  }

  /**
   * Replays current on a copy of the committed model. Typing changes one statement at a time, and an incremental
   * re-parse keeps the statements before it as the same objects: the model as it stood before the first changed
   * statement is kept (a checkpoint), and the next run replays only from there.
   */
  private replayCurrent(committedModel: SchemaModel, scripts: Script[]): SchemaModel {
    const steps: ReplayStep[] = [];
    for (const script of scripts) {
      script.parsed.statements.forEach((statement, i) => steps.push({ script, statement, first: i === 0 }));
    }
    const previous = this.current;
    let from = 0;
    let model: SchemaModel;
    let firstChange = steps.length;
    if (previous && previous.committedModel === committedModel) {
      const n = Math.min(steps.length, previous.steps.length);
      firstChange = 0;
      while (firstChange < n && sameStep(steps[firstChange], previous.steps[firstChange])) firstChange++;
    }
    const checkpoint = previous && previous.committedModel === committedModel ? previous.checkpoint : undefined;
    if (checkpoint && checkpoint.index <= firstChange) {
      model = checkpoint.model.clone();
      from = checkpoint.index;
    } else {
      model = committedModel.clone();
    }
    const replayer = new Replayer(model, this.replayOptions);
    let saved = checkpoint && checkpoint.index === firstChange ? checkpoint : undefined;
    for (let i = from; i < steps.length; i++) {
      if (i === firstChange && !saved) saved = { index: i, model: model.clone().seal() };
      const step = steps[i];
      if (step.first) model.searchPath = 'public';
      replayer.apply(step.script, step.statement);
    }
    this.current = { committedModel, steps, checkpoint: saved ?? (checkpoint && checkpoint.index <= firstChange ? checkpoint : undefined) };
    // Final: rules and editors read it; its tables may be shared with the checkpoint.
    return model.seal();
  }

  /** Forgets what was cached for a file (a standalone file closed in the editor). */
  forget(file: string): void {
    this.scriptCache.delete(file);
    this.keywordCases.delete(file);
  }

  /** Forgets scripts of files that are gone, so a long-running server does not grow. */
  private prune(live: Script[]): void {
    if (this.scriptCache.size <= live.length * 2 + 16) return;
    const keep = new Map<string, Set<FileRole>>();
    for (const s of live) {
      let roles = keep.get(s.file);
      if (!roles) keep.set(s.file, (roles = new Set()));
      roles.add(s.role);
    }
    for (const file of this.keywordCases.keys()) if (!keep.has(file)) this.keywordCases.delete(file);
    for (const [file, byRole] of this.scriptCache) {
      const roles = keep.get(file);
      if (!roles) this.scriptCache.delete(file);
      else for (const role of byRole.keys()) if (!roles.has(role)) byRole.delete(role);
    }
  }

  private appendTarget(project: Project): AppendTarget | undefined {
    // Other layouts have no current.sql: a fix to an applied migration belongs in a new migration, which the user writes.
    if (project.layout !== 'graphile') return undefined;
    const file = project.currentIsFolder ? project.currentFiles[project.currentFiles.length - 1] : path.join(project.migrationsDir, 'current.sql');
    if (!file) return undefined;
    const text = this.fs.read(file) ?? '';
    const separator = text.length === 0 ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return { file, offset: text.length, separator };
  }

  private runRules(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const layout = ctx.project?.layout;
    const caseOf = (file: string): KeywordCase | undefined => {
      const text = ctx.readFile(file);
      if (text === undefined) return undefined;
      // The same text (the same string object, for files an edit did not touch) has the same case.
      const cached = this.keywordCases.get(file);
      if (cached?.text === text) return cached.case;
      const found = keywordCaseOf(text);
      this.keywordCases.set(file, { text, case: found });
      return found;
    };
    for (const rule of this.ruleSet) {
      if (rule.layouts && !(layout && rule.layouts.includes(layout))) continue;
      const setting = ctx.config.rules[rule.id] ?? (layout && rule.severityByLayout?.[layout]) ?? rule.defaultSeverity;
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
          fixes: this.fixesAsWritten ? v.fixes ?? [] : (v.fixes ?? []).map((fix) => fitFix(fix, v.location.file, caseOf, ctx.project?.root)),
          related: v.related ?? [],
        });
      }
    }
    const kept = applyIgnoreComments(findings, ctx.scripts, ctx.readFile);
    kept.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end || (a.rule < b.rule ? -1 : 1)));
    return kept;
  }
}

/**
 * What every rule's fix goes through, so that a rule written today gets it too: its SQL is written in the keyword
 * case of the file it goes into (UPPERCASE fixes in a lowercase file stand out), and a fix that edits another file
 * than the finding's (a committed migration's fix goes to current.sql) says so in its title.
 */
function fitFix(fix: Fix, findingFile: string, caseOf: (file: string) => KeywordCase | undefined, root: string | undefined): Fix {
  const fallback = caseOf(findingFile);
  const edits = fix.edits.map((e) => {
    const newText = inKeywordCase(e.newText, (e.file === findingFile ? fallback : caseOf(e.file) ?? fallback));
    return newText === e.newText ? e : { ...e, newText };
  });
  const elsewhere = [...new Set(fix.edits.map((e) => e.file).filter((f) => f !== findingFile))];
  if (elsewhere.length === 0) return edits.every((e, i) => e === fix.edits[i]) ? fix : { ...fix, edits };
  const shown = elsewhere.map((f) => (root ? path.relative(root, f).split(path.sep).join('/') : path.basename(f)));
  return { ...fix, edits, title: `${fix.title} (edits ${shown.join(', ')})` };
}

/** Reads each file once per analysis: rules ask for the same file many times when building fixes. `known`: texts
 * already read in this analysis. */
function memoRead(fs: FileSystem, known: [string, string][] = []): (file: string) => string | undefined {
  const texts = new Map<string, string | undefined>(known);
  return (file) => {
    if (!texts.has(file)) texts.set(file, fs.read(file));
    return texts.get(file);
  };
}

interface ReplayStep {
  script: Script;
  statement: Statement;
  /** The script's first statement: the search path starts over at `public` there. */
  first: boolean;
}

/** The same statement at the same place: the same parsed object, in a script whose text maps the same way up to it. */
function sameStep(a: ReplayStep, b: ReplayStep): boolean {
  return a.statement === b.statement && a.first === b.first && a.script.file === b.script.file;
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

/** The expansion of a file without includes: its text, one segment mapping to itself. */
function wholeFile(file: string, text: string): Expansion {
  return { file, text, segments: [{ start: 0, end: text.length, file, fileStart: 0 }], directives: [], problems: [], fixtures: new Set() };
}
