// Hover text (markdown) for tables, columns and include directives.
import path from 'node:path';
import type { Project } from '../core/project';
import { type ColumnModel, displayName, type TableModel } from '../core/schema/model';
import type { Location } from '../core/types';
import type { Files } from './files';
import type { Positions } from './convert';

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

export function where(loc: Location, positions: Positions, files: Files, project: Project | undefined): string {
  const line = positions.range(loc).start.line + 1;
  const rel = project ? path.relative(project.root, loc.file) : path.basename(loc.file);
  const name = rel.startsWith('..') ? loc.file : rel.split(path.sep).join('/');
  return `[${name}:${line}](${files.uriOf(loc.file)}#L${line})`;
}

function columnLine(c: ColumnModel): string {
  const traits = [c.notNull ? 'not null' : '', c.hasDefault ? 'default' : ''].filter(Boolean);
  return `- ${code(c.name)} ${c.type}${traits.length ? ' — ' + traits.join(', ') : ''}`;
}

export function describeTable(t: TableModel, positions: Positions, files: Files, project: Project | undefined): string {
  const out: string[] = [];
  out.push(`**table ${displayName(t)}**${t.temporary ? ' (temporary)' : ''} — as the migrations leave it`);
  out.push('');
  if (t.columns.size === 0) out.push('_no columns_');
  for (const c of t.columns.values()) out.push(columnLine(c));
  if (t.indexes.length > 0) {
    out.push('', '**Indexes**');
    for (const i of t.indexes) {
      const cols = i.columns.map((c) => c ?? '(expression)').join(', ');
      out.push(`- ${code(i.name ?? '(unnamed)')} ${i.kind === 'index' ? '' : i.kind + ' '}(${cols})${i.partial ? ' partial' : ''}`);
    }
  }
  if (t.foreignKeys.length > 0) {
    out.push('', '**Foreign keys**');
    for (const f of t.foreignKeys) {
      out.push(`- ${code(f.name ?? '(unnamed)')} (${f.columns.join(', ')}) → ${displayName(f.references)}${f.refColumns.length ? ` (${f.refColumns.join(', ')})` : ''}`);
    }
  }
  out.push('', `**Row level security**: ${t.rls ? 'on' : 'off'}`);
  if (t.policies.length > 0) {
    out.push('', '**Policies**');
    for (const p of t.policies) out.push(`- ${code(p.name)} for ${p.command}`);
  }
  out.push('', `Created in ${where(t.nameLocation, positions, files, project)}; ${t.references.length} reference${t.references.length === 1 ? '' : 's'}`);
  return out.join('\n');
}

export function describeColumn(t: TableModel, c: ColumnModel, positions: Positions, files: Files, project: Project | undefined): string {
  const traits = [c.notNull ? 'NOT NULL' : '', c.hasDefault ? 'has a default' : ''].filter(Boolean);
  return [
    `**column ${displayName(t)}.${c.name}** ${code(c.type)}${traits.length ? ' — ' + traits.join(', ') : ''}`,
    '',
    `Defined in ${where(c.created, positions, files, project)}`,
  ].join('\n');
}

export function describeFixture(target: string, text: string | undefined, project: Project | undefined): string {
  const rel = project ? path.relative(project.root, target).split(path.sep).join('/') : target;
  if (text === undefined) return `**fixture** ${code(rel)} (cannot be read)`;
  const lines = text.split(/\r?\n/);
  const shown = lines.slice(0, 10).join('\n').replace(/```/g, '`\u200b``');
  const more = lines.length > 10 ? `\n\n_${lines.length - 10} more line${lines.length - 10 === 1 ? '' : 's'}_` : '';
  return `**fixture** ${code(rel)}\n\n\`\`\`sql\n${shown}\n\`\`\`${more}`;
}
