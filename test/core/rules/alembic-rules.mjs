// alembic-multiple-heads on independent labelled branches, and alembic-revision-unreadable: version files read as
// text; Python syntax errors come from Python's own parser (ast.parse: nothing runs).
import { ruleTester } from '../ruleTester.mjs';

const alembic = (versions) => ({ '.gmrc': null, 'alembic.ini': '[alembic]\nscript_location = alembic\n', ...Object.fromEntries(Object.entries(versions).map(([f, t]) => [`alembic/versions/${f}`, t])) });
const rev = (id, down, labels = 'None') => `"""${id}"""\nrevision = '${id}'\ndown_revision = ${down === null ? 'None' : `'${down}'`}\nbranch_labels = ${labels}\n\n\ndef upgrade():\n    pass\n`;

ruleTester('alembic-multiple-heads', {
  valid: [
    { name: 'an independent branch with its own base and a label', files: alembic({ 'a.py': rev('a', null), 'b.py': rev('b', 'a'), 'x.py': rev('x', null, "('audit',)"), 'y.py': rev('y', 'x') }) },
  ],
  invalid: [
    {
      name: 'a second base without a label',
      files: alembic({ 'a.py': rev('a', null), 'b.py': rev('b', 'a'), 'x.py': rev('x', null) }),
      errors: [
        { file: 'alembic/versions/b.py', line: 2, column: 12, endLine: 2, endColumn: 15, message: 'heads an independent branch with no branch label' },
        { file: 'alembic/versions/x.py', line: 2, column: 12, endLine: 2, endColumn: 15, message: 'x (x.py) heads an independent branch with no branch label, beside b' },
      ],
    },
    {
      name: 'two heads inside a labelled branch still need a merge',
      files: alembic({ 'a.py': rev('a', null), 'x.py': rev('x', null, "'audit'"), 'y.py': rev('y', 'x'), 'z.py': rev('z', 'x') }),
      errors: [
        { file: 'alembic/versions/y.py', line: 2, column: 12, endLine: 2, endColumn: 15, message: 'multiple heads: y (y.py) and z' },
        { file: 'alembic/versions/z.py', line: 2, column: 12, endLine: 2, endColumn: 15, message: 'multiple heads: z (z.py) and y' },
      ],
    },
  ],
});

ruleTester('alembic-revision-unreadable', {
  valid: [{ name: 'a valid graph', files: alembic({ 'a.py': rev('a', null), 'b.py': rev('b', 'a') }) }],
  invalid: [
    {
      name: 'a Python syntax error: at Python\'s position',
      files: alembic({ 'a.py': rev('a', null), 'b.py': rev('b', 'a').replace('def upgrade():', 'def upgrade(:') }),
      errors: [{ file: 'alembic/versions/b.py', line: 7, column: 13, endLine: 7, endColumn: 14, severity: 'error', message: 'this version file is not valid Python (line 7:' }],
    },
    {
      name: 'a down_revision that names no revision',
      files: alembic({ 'a.py': rev('a', null), 'b.py': rev('b', 'nope') }),
      errors: [{ file: 'alembic/versions/b.py', line: 1, column: 1, endLine: 1, endColumn: 8, message: 'has down_revision nope, which matches no revision' }],
    },
  ],
});
