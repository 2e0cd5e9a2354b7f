// A version file alembic cannot load (a Python syntax error) or that does not fit in the revision graph (no
// `revision`, a down_revision that names no revision, a cycle): every alembic command fails, and pgmig's status
// cannot say what is applied. Reported on the file, at the error when Python gives its position.
import type { Rule, Violation } from '../rule';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { readAlembicGraph } from '../layouts/alembicGraph';

export const alembicRevisionUnreadable: Rule = {
  id: 'alembic-revision-unreadable',
  defaultSeverity: 'error',
  layouts: ['alembic'],
  summary: 'An Alembic version file that alembic cannot load or place in the revision graph.',
  check(ctx) {
    const folder = ctx.project?.layoutProject?.folder;
    if (!folder) return [];
    const fsys: FileSystem = { ...diskFileSystem, read: (f) => ctx.readFile(f) };
    const out: Violation[] = [];
    for (const p of readAlembicGraph(fsys, folder).problems) {
      const text = ctx.readFile(p.file) ?? '';
      const eol = text.search(/\r?\n/);
      out.push({ location: { file: p.file, ...(p.at ?? { start: 0, end: eol < 0 ? text.length : eol }) }, message: `this version file ${p.message}` });
    }
    return out;
  },
};
