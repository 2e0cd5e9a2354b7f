// `-- pgmig-ignore <rule>[, <rule>]` silences those rules for the next statement; `-- pgmig-ignore-file <rule>`
// for the whole file. Without a rule list, every rule. Applied after the rules ran, on file positions, so it works
// the same in current.sql, fixtures and committed files.
import { locate, type Script } from './script';
import type { Finding } from './types';

export const IGNORE_COMMENT = /--[ \t]*pgmig-ignore(-file)?\b[ \t]*([a-z][a-z-]*(?:[ \t]*,[ \t]*[a-z][a-z-]*)*)?/g;

interface Region {
  start: number;
  end: number;
  rules: Set<string> | 'all';
}

export function applyIgnoreComments(findings: Finding[], scripts: Script[], read: (file: string) => string | undefined): Finding[] {
  const files = new Set(findings.map((f) => f.file));
  const regions = new Map<string, Region[]>();
  let ranges: Map<string, [number, number][]> | undefined;
  for (const file of files) {
    const text = read(file);
    if (!text || !text.includes('pgmig-ignore')) continue;
    ranges ??= statementRanges(scripts);
    const starts = ranges.get(file) ?? [];
    const list: Region[] = [];
    for (const m of text.matchAll(IGNORE_COMMENT)) {
      const rules = m[2] ? new Set(m[2].split(',').map((r) => r.trim())) : ('all' as const);
      const after = m.index! + m[0].length;
      if (m[1]) {
        list.push({ start: 0, end: text.length, rules });
        continue;
      }
      const next = starts.find(([s]) => s >= after);
      list.push({ start: after, end: next ? next[1] : text.length, rules });
    }
    regions.set(file, list);
  }
  if (regions.size === 0) return findings;
  return findings.filter((f) => {
    const list = regions.get(f.file);
    if (!list) return true;
    return !list.some((r) => f.start >= r.start && f.start <= r.end && (r.rules === 'all' || r.rules.has(f.rule)));
  });
}

/** Statement ranges (parsed or broken) per file, in file offsets, sorted by start. */
function statementRanges(scripts: Script[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const add = (file: string, start: number, end: number) => {
    let list = out.get(file);
    if (!list) out.set(file, (list = []));
    list.push([start, end]);
  };
  for (const s of scripts) {
    // Statements inside DO blocks too: an ignore comment in a block applies to the block's next statement.
    for (const st of s.parsed.statements) {
      const loc = locate(s, st.start, st.end);
      add(loc.file, loc.start, loc.end);
    }
    for (const e of s.parsed.errors) {
      const loc = locate(s, e.statementStart, e.statementEnd);
      add(loc.file, loc.start, loc.end);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a[0] - b[0]);
  return out;
}
