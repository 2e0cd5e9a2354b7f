// Output formats of `pgmig lint`: text for people, JSON and SARIF 2.1.0 for machines. Lines and columns are
// 1-based; columns count UTF-16 code units, as editors do.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineIndex } from '../core/text';
import type { Finding } from '../core/types';
import { rules } from '../core/rules';
import { ruleDocUrl } from '../core/ruleDocs';
import { visible } from './visible';

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  rule: string;
  message: string;
}

export class Positions {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly read: (file: string) => string | undefined) {}
  index(file: string): LineIndex {
    let idx = this.indexes.get(file);
    if (!idx) this.indexes.set(file, (idx = new LineIndex(this.read(file) ?? '')));
    return idx;
  }
}

export function relativeName(root: string, file: string): string {
  const rel = path.relative(root, file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

/** relativeName, once per file: a corpus run reports thousands of findings in hundreds of files. */
function namer(root: string): (file: string) => string {
  const names = new Map<string, string>();
  return (file) => {
    let name = names.get(file);
    if (name === undefined) names.set(file, (name = relativeName(root, file)));
    return name;
  };
}

export function toJson(findings: Finding[], root: string, positions: Positions): JsonFinding[] {
  const nameOf = namer(root);
  return findings.map((f) => {
    const idx = positions.index(f.file);
    const a = idx.position(f.start);
    const b = idx.position(f.end);
    return {
      file: nameOf(f.file),
      line: a.line + 1,
      column: a.character + 1,
      endLine: b.line + 1,
      endColumn: b.character + 1,
      severity: f.severity,
      rule: f.rule,
      message: f.message,
    };
  });
}

/** Characters of a source line shown before it is cut with an ellipsis. */
const SHOWN = 160;

export function toText(findings: Finding[], root: string, positions: Positions, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sevColor: Record<string, string> = { error: '31', warning: '33', info: '36', hint: '2' };
  const out: string[] = [];
  const nameOf = namer(root);
  for (const f of findings) {
    const idx = positions.index(f.file);
    const a = idx.position(f.start);
    const b = idx.position(f.end);
    out.push(`${visible(nameOf(f.file))}:${a.line + 1}:${a.character + 1}: ${paint(sevColor[f.severity] ?? '0', f.severity)} ${paint('1', f.rule)} ${visible(f.message)}`);
    const line = idx.lineText(a.line);
    const end = b.line === a.line ? Math.max(b.character, a.character + 1) : Math.max(line.length, a.character + 1);
    const cut = line.slice(0, SHOWN);
    const gutter = String(a.line + 1);
    out.push(`  ${gutter} | ${visible(cut)}${line.length > SHOWN ? '…' : ''}`);
    // Tabs before the finding stay tabs under it, so the caret lines up however wide the terminal shows a tab; an
    // escaped control character is as wide as its escape.
    const indent = visible(cut.slice(0, a.character)).replace(/[^\t]/g, ' ');
    const upTo = Math.min(end, SHOWN);
    // (past the line's end, e.g. over a \r, one column each, as before)
    const over = visible(line.slice(a.character, upTo)).length + Math.max(0, upTo - Math.max(a.character, line.length));
    const width = a.character >= SHOWN ? 1 : Math.max(1, over + (end > SHOWN ? 1 : 0));
    out.push(`  ${' '.repeat(gutter.length)} | ${indent}${paint(sevColor[f.severity] ?? '0', '^'.repeat(width))}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const others = findings.length - errors - warnings;
  out.push(findings.length === 0 ? 'no problems found' : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${others ? `, ${others} other` : ''}`);
  return out.join('\n') + '\n';
}

export { ruleDocUrl };

/** SARIF wants URIs: a relative reference (each segment percent-encoded) under SRCROOT, or a file URL for a file
 * outside the root. */
function artifactLocation(nameOf: (file: string) => string, file: string): { uri: string; uriBaseId?: string } {
  const rel = nameOf(file);
  if (path.isAbsolute(rel)) return { uri: pathToFileURL(file).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
}

export function toSarif(findings: Finding[], root: string, positions: Positions, version: string): object {
  const levels: Record<string, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
  const nameOf = namer(root);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgmig',
            version,
            informationUri: 'https://github.com/pgmig/pgmig',
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              helpUri: ruleDocUrl(r.id),
              defaultConfiguration: { level: levels[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(root).href.replace(/\/?$/, '/') } },
        results: findings.map((f) => {
          const idx = positions.index(f.file);
          const a = idx.position(f.start);
          const b = idx.position(f.end);
          return {
            ruleId: f.rule,
            ruleIndex: rules.findIndex((r) => r.id === f.rule),
            level: levels[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: artifactLocation(nameOf, f.file),
                  region: { startLine: a.line + 1, startColumn: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 },
                },
              },
            ],
          };
        }),
      },
    ],
  };
}
