// Alembic refuses `upgrade head` while the revision graph has several heads (two branches made from the same
// revision, e.g. by two developers): reported on each head's version file, with the fix the team runs. Independent
// branches, each with its own base and a branch label, are a design (upgraded with `heads` or `label@head`), not
// reported; an unlabelled second base is.
import path from 'node:path';
import type { Rule, Violation } from '../rule';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { components, readAlembicGraph } from '../layouts/alembicGraph';

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
    const parts = components(graph);
    const at = (head: string) => {
      const r = graph.revisions.find((x) => x.revision === head)!;
      return { r, location: { file: r.file, start: r.revisionAt.start, end: r.revisionAt.end } };
    };
    for (const part of parts) {
      // Independent branches (their own base, a branch label: `alembic revision --head base --branch-label audit`)
      // are legitimate; two heads within one part are what needs a merge.
      if (part.heads.length > 1) {
        for (const head of part.heads) {
          const { r, location } = at(head);
          const others = part.heads.filter((h) => h !== head);
          out.push({
            location,
            message: `multiple heads: ${head} (${path.basename(r.file)}) and ${others.join(', ')}; alembic upgrade head refuses to run: merge them with \`alembic merge heads -m "merge heads"\``,
          });
        }
      } else if (!part.labels.length && parts.filter((p) => !p.labels.length).length > 1) {
        // One unlabelled line (the main one) beside labelled branches is fine; two cannot be told apart.
        const { r, location } = at(part.heads[0]);
        out.push({
          location,
          message: `${part.heads[0]} (${path.basename(r.file)}) heads an independent branch with no branch label, beside ${parts.filter((p) => p !== part).map((p) => p.heads.join(', ')).join(', ')}: give its base a branch label (branch_labels = ('name',)) or attach it with down_revision`,
        });
      }
    }
    return out;
  },
};
