// `--!include` expansion exactly as graphile-migrate 2.0.0-rc.3 compiles it: a directive line is replaced by
// `--! Included <path>\n<fixture text trimmed>\n--! EndIncluded <path>`, resolved (realpath) under
// `<migrations>/fixtures`, recursively. Unlike graphile-migrate we do not stop at the first problem: a broken
// directive stays in the text as the comment it is, is reported, and the rest is still expanded. A source map
// (segments) carries every offset of the expanded text back to the file where that text lives.
import path from 'node:path';
import type { FileSystem } from './fileSystem';
import { isBlank } from './text';
import type { Location } from './types';

export const INCLUDE_LINE = /^--![ \t]*include[ \t]+(.*\.sql)[ \t]*$/gm;

/** A run of expanded text copied from `file` starting at `fileStart`. Synthetic runs (the Included markers) map to
 * the directive that produced them. */
export interface Segment {
  start: number;
  end: number;
  file: string;
  fileStart: number;
  synthetic?: boolean;
}

export interface IncludeDirective {
  /** The file holding the directive, the whole line, and the raw path within it. */
  file: string;
  start: number;
  end: number;
  pathStart: number;
  pathEnd: number;
  rawPath: string;
  /** The fixture's real path when it resolved inside fixtures. */
  target?: string;
}

export type IncludeRule = 'include-not-found' | 'include-cycle' | 'include-outside-fixtures';

export interface IncludeProblem extends Location {
  rule: IncludeRule;
  message: string;
  /** For cycles: the chain of files, outermost first, ending with the file included again. */
  chain?: string[];
}

export interface Expansion {
  /** The root file and the expanded text. */
  file: string;
  text: string;
  segments: Segment[];
  directives: IncludeDirective[];
  problems: IncludeProblem[];
  /** Every fixture whose text is part of the expansion (real paths). */
  fixtures: Set<string>;
}

/** Where an offset of the expanded text lives. */
export function mapOffset(exp: Expansion, offset: number): { file: string; offset: number } {
  const segs = exp.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  const s = segs[lo];
  if (!s) return { file: exp.file, offset };
  if (s.synthetic) return { file: s.file, offset: s.fileStart };
  return { file: s.file, offset: s.fileStart + Math.min(offset - s.start, s.end - s.start) };
}

/** The offsets of the expanded text where offset `offset` of `file` was copied (a fixture included twice: two). */
export function mapFileOffset(exp: Expansion, file: string, offset: number): number[] {
  const out: number[] = [];
  for (const s of exp.segments) {
    if (!s.synthetic && s.file === file && s.fileStart <= offset && offset < s.fileStart + (s.end - s.start)) out.push(s.start + offset - s.fileStart);
  }
  return out;
}

/** Maps a range of expanded text to one file range. A range that crosses into another file is cut at the first
 * file's end, so a finding always points at text that exists where it says. */
export function mapRange(exp: Expansion, start: number, end: number): Location {
  const a = mapOffset(exp, start);
  const b = mapOffset(exp, Math.max(start, end - 1));
  if (a.file === b.file && b.offset >= a.offset) return { file: a.file, start: a.offset, end: Math.max(a.offset, b.offset + (end > start ? 1 : 0)) };
  // Crosses files: end at the segment's end.
  const seg = exp.segments.find((s) => s.start <= start && start < s.end);
  const segEnd = seg && !seg.synthetic ? seg.fileStart + (seg.end - seg.start) : a.offset;
  return { file: a.file, start: a.offset, end: Math.max(a.offset, segEnd) };
}

/** What one file's text expands to, offsets from 0: kept per fixture, so that a fixture included many times (or
 * by many fixtures) is read and expanded once. */
interface Expanded {
  text: string;
  segments: Segment[];
  directives: IncludeDirective[];
  problems: IncludeProblem[];
  /** The fixtures it includes, directly or not. */
  fixtures: Set<string>;
  /** No directive in it was cut as a cycle: its expansion is the same wherever it is included, unless the includer's
   * chain holds one of its fixtures. */
  cycleFree: boolean;
}

/** Expands includes of `text` (the content of `file`). `fixturesDir` is `<migrationsFolder>/fixtures`; messages name
 * paths relative to `displayRoot` (the project root) so that they read the same on every machine. */
export function expandIncludes(fs: FileSystem, file: string, text: string, fixturesDir: string, displayRoot = path.dirname(path.dirname(fixturesDir))): Expansion {
  const root = fs.realpath(displayRoot) ?? path.resolve(displayRoot);
  const show = (p: string) => {
    const rel = path.relative(root, p);
    return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel.split(path.sep).join('/');
  };
  const realFixtures = fs.realpath(fixturesDir);
  // Each fixture is resolved, read and expanded once per call, however often it is included: 18 levels of fixtures
  // that each include the next twice are 2^18 inclusions of the last one, but 19 expansions.
  const resolved = new Map<string, string | undefined>();
  const realpath = (p: string) => {
    if (!resolved.has(p)) resolved.set(p, fs.realpath(p));
    return resolved.get(p);
  };
  const texts = new Map<string, string | undefined>();
  const read = (p: string) => {
    if (!texts.has(p)) texts.set(p, fs.read(p));
    return texts.get(p);
  };
  const expanded = new Map<string, Expanded>();

  // Expands content[from, to) of a file; offsets in the source map stay relative to the whole file.
  const expand = (currentFile: string, content: string, from: number, to: number, chain: string[]): Expanded => {
    const out: Expanded = { text: '', segments: [], directives: [], problems: [], fixtures: new Set(), cycleFree: true };
    const emit = (s: string, seg: Omit<Segment, 'start' | 'end'>) => {
      if (!s) return;
      const start = out.text.length;
      out.segments.push(seg.synthetic ? { start, end: start + s.length, file: seg.file, fileStart: seg.fileStart, synthetic: true } : { start, end: start + s.length, file: seg.file, fileStart: seg.fileStart });
      // `+` makes a rope: a fixture's text is copied once, when the whole expansion is first read.
      out.text += s;
    };
    const region = content.slice(0, to);
    let pos = from;
    for (const m of region.matchAll(INCLUDE_LINE)) {
      const lineStart = m.index!;
      if (lineStart < from) continue;
      const lineEnd = lineStart + m[0].length;
      const rawPath = m[1];
      const pathStart = lineStart + m[0].indexOf(rawPath, 3);
      const directive: IncludeDirective = {
        file: currentFile,
        start: lineStart,
        end: lineEnd,
        pathStart,
        pathEnd: pathStart + rawPath.length,
        rawPath,
      };
      out.directives.push(directive);
      const problem = (rule: IncludeRule, message: string, extra?: Partial<IncludeProblem>) =>
        out.problems.push({ rule, message, file: currentFile, start: pathStart, end: directive.pathEnd, ...extra });

      let target: string | undefined;
      if (!realFixtures) {
        problem('include-not-found', `'--!include ${rawPath}': the fixtures folder ${show(path.resolve(fixturesDir))} does not exist`);
      } else {
        target = realpath(path.join(realFixtures, rawPath));
        const lexical = path.resolve(realFixtures, rawPath);
        const relative = path.relative(realFixtures, target ?? lexical);
        if (relative.startsWith('..') || path.isAbsolute(relative)) {
          problem(
            'include-outside-fixtures',
            `'${rawPath}' resolves to ${show(target ?? lexical)}, outside the fixtures folder ${show(realFixtures)}` +
              (target && target !== lexical ? ' (through a symbolic link)' : ''),
          );
          target = undefined;
        } else if (!target) {
          problem('include-not-found', `fixture '${rawPath}' not found (looked for ${show(lexical)})`);
        } else if (chain.includes(target)) {
          const cycle = [...chain.slice(chain.indexOf(target)), target];
          problem(
            'include-cycle',
            `circular include: ${cycle.map((f) => path.relative(realFixtures, f) || f).join(' -> ')}`,
            { chain: cycle },
          );
          out.cycleFree = false;
          target = undefined;
        }
      }
      const fixtureText = target !== undefined ? read(target) : undefined;
      if (target !== undefined && fixtureText === undefined) {
        problem('include-not-found', `fixture '${rawPath}' could not be read`);
      }
      if (target === undefined || fixtureText === undefined) continue; // the directive stays, as the comment it is
      directive.target = target;

      let sub = expanded.get(target);
      if (!sub || chain.some((c) => sub!.fixtures.has(c))) {
        // graphile-migrate trims the fixture's text: expand only what lies between its leading and trailing whitespace.
        let a = 0;
        let b = fixtureText.length;
        while (a < b && isBlank(fixtureText.charCodeAt(a))) a++;
        while (b > a && isBlank(fixtureText.charCodeAt(b - 1))) b--;
        sub = expand(target, fixtureText, a, b, [...chain, target]);
        if (sub.cycleFree) expanded.set(target, sub);
      }
      out.fixtures.add(target);
      for (const f of sub.fixtures) out.fixtures.add(f);
      if (!sub.cycleFree) out.cycleFree = false;
      for (const d of sub.directives) out.directives.push(d);
      for (const p of sub.problems) out.problems.push(p);

      emit(content.slice(pos, lineStart), { file: currentFile, fileStart: pos });
      emit(`--! Included ${rawPath}\n`, { file: currentFile, fileStart: lineStart, synthetic: true });
      const shift = out.text.length;
      for (const g of sub.segments) {
        out.segments.push(g.synthetic ? { start: g.start + shift, end: g.end + shift, file: g.file, fileStart: g.fileStart, synthetic: true } : { start: g.start + shift, end: g.end + shift, file: g.file, fileStart: g.fileStart });
      }
      out.text += sub.text;
      emit(`\n--! EndIncluded ${rawPath}`, { file: currentFile, fileStart: lineStart, synthetic: true });
      pos = lineEnd;
    }
    emit(content.slice(pos, to), { file: currentFile, fileStart: pos });
    return out;
  };

  const whole = expand(file, text, 0, text.length, [file]);
  // A fixture expanded once is still included many times: its directives and problems are listed once.
  return {
    file,
    text: whole.text,
    segments: whole.segments,
    directives: [...new Set(whole.directives)],
    problems: [...new Set(whole.problems)],
    fixtures: whole.fixtures,
  };
}
