// Alembic refuses `upgrade head` while the revision graph has several heads (two branches made from the same
// revision, e.g. by two developers): reported on each head's version file, with the fix the team runs.
import path from 'node:path';
import type { Rule, Violation } from '../rule';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { readAlembicGraph } from '../layouts/alembicGraph';

export const alembicMultipleHeads: Rule = {
  id: 'alembic-multiple-heads',
  defaultSeverity: 'error',
  layouts: ['alembic'],
  summary: 'The Alembic revision graph has several heads: `alembic upgrade head` refuses to run until they are merged.',
  check(ctx) {
    const folder = ctx.project?.layoutProject?.folder;
    if (!folder) return [];
    // The folder's listing from disk, the files' texts as the analysis sees them (editor buffers included).
    const fsys: FileSystem = { ...diskFileSystem, read: (f) => ctx.readFile(f) };
    const graph = readAlembicGraph(fsys, folder);
    if (graph.heads.length < 2) return [];
    const out: Violation[] = [];
    for (const head of graph.heads) {
      const r = graph.revisions.find((x) => x.revision === head)!;
      const others = graph.heads.filter((h) => h !== head);
      out.push({
        location: { file: r.file, start: r.revisionAt.start, end: r.revisionAt.end },
        message: `multiple heads: ${head} (${path.basename(r.file)}) and ${others.join(', ')}; alembic upgrade head refuses to run: merge them with \`alembic merge heads -m "merge heads"\``,
      });
    }
    return out;
  },
};
