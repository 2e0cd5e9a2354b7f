// `pgmig history`: the migrations of any layout in the order they apply, read from the files (no database): for
// graphile-migrate the committed files, numbered and Drizzle their files in order with their down scripts, Alembic
// its revision graph newest first as `alembic history` prints it (parents -> revision, head/base/branch/merge marks).
import path from 'node:path';
import { loadSettings, readCommitted } from '../../core/engine/index';
import { AlembicLayout } from '../../core/layouts/alembic';
import type { LayoutMigration } from '../../core/layouts/types';
import { UsageError } from '../usage';
import { out, parse, printError } from './engineCli';
import type { Command } from './index';
import { detectFor } from './layouts';

export const historyCommand: Command = {
  summary: 'the migrations in apply order (Alembic: the revision graph), from the files',
  async run(argv) {
    const { values } = parse(argv, { json: { type: 'boolean' } });
    if (values.help) return out('pgmig history [--json] [--root DIR]\n\nThe migrations in the order they apply, with their down scripts; for Alembic the revision graph, newest first.'), 0;
    const d = detectFor(argv);
    if (!d) throw new UsageError('no migrations project found here (see pgmig --help)');
    try {
      let list: (LayoutMigration & { note?: string })[];
      if (!d.layout) {
        const settings = loadSettings({ root: d.project.root, allowJsConfig: true });
        list = readCommitted(settings.migrationsFolder).map((m, index) => ({ id: m.filename, name: m.message ?? '', file: m.fullPath, downFile: m.downPath, index }));
      } else if (d.layout instanceof AlembicLayout) {
        const g = d.layout.graph();
        const children = new Map<string, string[]>();
        for (const r of g.revisions) for (const p of r.downRevisions) children.set(p, [...(children.get(p) ?? []), r.revision]);
        const heads = new Set(g.heads);
        const rows = [...g.revisions].reverse().map((r) => {
          // alembic's cmd_format: parents -> revision (labels) (head) (branchpoint) (mergepoint), doc
          const marks = [
            r.branchLabels.length ? r.branchLabels.join(', ') : '',
            heads.has(r.revision) ? 'head' : '',
            (children.get(r.revision)?.length ?? 0) > 1 ? 'branchpoint' : '',
            r.downRevisions.length > 1 ? 'mergepoint' : '',
          ].filter(Boolean);
          const from = r.downRevisions.length ? r.downRevisions.join(', ') : '<base>';
          return { ...r, line: `${from} -> ${r.revision}${marks.map((m) => ` (${m})`).join('')}, ${r.message || r.name}` };
        });
        if (values.json) return out(JSON.stringify({ layout: 'alembic', heads: g.heads, bases: g.bases, revisions: rows.map(({ line: _l, ...r }) => r), problems: g.problems }, null, 2)), 0;
        for (const r of rows) out(r.line);
        for (const p of g.problems) out(`warning: ${path.relative(d.project.root, p.file)} ${p.message}`);
        return g.problems.length ? 1 : 0;
      } else {
        list = d.layout.migrations();
      }
      if (values.json) return out(JSON.stringify({ layout: d.project.kind, migrations: list }, null, 2)), 0;
      const width = String(list.length).length;
      for (const m of list) {
        const name = path.relative(d.project.root, m.file);
        out(`${String(m.index + 1).padStart(width)}. ${name}${m.downFile ? `  (down: ${path.basename(m.downFile)})` : ''}${d.project.kind === 'graphile' && m.name ? `  ${m.name}` : ''}`);
      }
      if (!list.length) out('no migrations yet');
      return 0;
    } catch (e) {
      printError('', e);
      return 1;
    }
  },
};
