// `--!include` expansion: the text must be exactly what graphile-migrate 2.0.0-rc.3 compiles (the expected strings
// below were produced by its compileIncludes), and the source map must carry every offset back to its file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { diskFileSystem, lint, outDir, readProjectFile, writeProject } from './ruleTester.mjs';

const { expandIncludes, mapOffset, mapRange } = (await import(`${outDir}/includes.js`)).default;

function expand(files) {
  const dir = writeProject(files);
  const current = path.join(dir, 'migrations/current.sql');
  const text = readProjectFile(dir, 'migrations/current.sql');
  const exp = expandIncludes(diskFileSystem, current, text, path.join(dir, 'migrations/fixtures'));
  return { dir, exp, rel: (f) => path.relative(dir, f).split(path.sep).join('/') };
}

/** Every non-synthetic run of the expanded text is a verbatim copy of its file at the mapped offset. */
function assertSourceMap(dir, exp) {
  let covered = 0;
  for (const s of exp.segments) {
    assert.equal(s.start, covered, 'segments are contiguous');
    covered = s.end;
    if (s.synthetic) {
      assert.match(exp.text.slice(s.start, s.end), /^(--! Included \S+\n|\n--! EndIncluded \S+)$/);
      continue;
    }
    const source = diskFileSystem.read(s.file);
    assert.equal(exp.text.slice(s.start, s.end), source.slice(s.fileStart, s.fileStart + s.end - s.start));
    for (let o = s.start; o < s.end; o++) {
      const m = mapOffset(exp, o);
      assert.equal(m.file, s.file);
      assert.equal(diskFileSystem.read(m.file)[m.offset], exp.text[o]);
    }
  }
  assert.equal(covered, exp.text.length);
  void dir;
}

const cases = {
  'a fixture is trimmed and wrapped in Included markers': [
    { 'migrations/current.sql': '-- header\n--!include a.sql\nselect 2;\n', 'migrations/fixtures/a.sql': '\n\n  select 1;\n\n' },
    '-- header\n--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\nselect 2;\n',
  ],
  'nested includes resolve from the fixtures root': [
    { 'migrations/current.sql': '--!include a.sql', 'migrations/fixtures/a.sql': "select 'a';\n--!include sub/b.sql\n", 'migrations/fixtures/sub/b.sql': "  select 'b';  \n" },
    "--! Included a.sql\nselect 'a';\n--! Included sub/b.sql\nselect 'b';\n--! EndIncluded sub/b.sql\n--! EndIncluded a.sql",
  ],
  'directive spelling: tabs and spaces, not indented, path ends in .sql': [
    { 'migrations/current.sql': '--!\tinclude   a.sql  \n--! include a.sql\n  --!include a.sql\n--!include a.sql.bak\n', 'migrations/fixtures/a.sql': 'select 1;\n' },
    '--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\n--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\n  --!include a.sql\n--!include a.sql.bak\n',
  ],
  'the same fixture twice': [
    { 'migrations/current.sql': 'begin;\n--!include a.sql\n--!include a.sql\ncommit;\n', 'migrations/fixtures/a.sql': 'select 1;' },
    'begin;\n--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\n--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\ncommit;\n',
  ],
  'CRLF line endings': [
    { 'migrations/current.sql': '--!include a.sql\r\nselect 2;\r\n', 'migrations/fixtures/a.sql': 'select 1;\r\n' },
    '--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\r\nselect 2;\r\n',
  ],
  'an empty fixture': [
    { 'migrations/current.sql': 'x\n--!include empty.sql\ny\n', 'migrations/fixtures/empty.sql': '  \n\n' },
    'x\n--! Included empty.sql\n\n--! EndIncluded empty.sql\ny\n',
  ],
  'a fixture that is only an include, three deep': [
    { 'migrations/current.sql': '--!include a.sql\n', 'migrations/fixtures/a.sql': '--!include b.sql\n\n', 'migrations/fixtures/b.sql': '\n--!include c.sql', 'migrations/fixtures/c.sql': 'select 3;' },
    '--! Included a.sql\n--! Included b.sql\n--! Included c.sql\nselect 3;\n--! EndIncluded c.sql\n--! EndIncluded b.sql\n--! EndIncluded a.sql\n',
  ],
};

describe('expandIncludes produces what graphile-migrate compiles', () => {
  for (const [name, [files, expected]] of Object.entries(cases)) {
    test(name, () => {
      const { dir, exp } = expand(files);
      assert.equal(exp.text, expected);
      assert.deepEqual(exp.problems, []);
      assertSourceMap(dir, exp);
    });
  }
});

describe('source map', () => {
  test('offsets in a nested fixture map to that fixture; the markers map to the directive', () => {
    const { exp, rel } = expand(cases['nested includes resolve from the fixtures root'][0]);
    const at = (needle) => {
      const i = exp.text.indexOf(needle);
      assert.ok(i >= 0, needle);
      const m = mapOffset(exp, i);
      return [rel(m.file), m.offset];
    };
    assert.deepEqual(at("select 'a'"), ['migrations/fixtures/a.sql', 0]);
    assert.deepEqual(at("select 'b'"), ['migrations/fixtures/sub/b.sql', 2]);
    assert.deepEqual(at('--! Included sub/b.sql'), ['migrations/fixtures/a.sql', 12]);
    assert.deepEqual(at('--! Included a.sql'), ['migrations/current.sql', 0]);
    const end = exp.text.indexOf('\n--! EndIncluded a.sql');
    assert.deepEqual([rel(mapOffset(exp, end).file), mapOffset(exp, end).offset], ['migrations/current.sql', 0]);
  });
  test('a range is mapped into one file, cut at the end of the first file it starts in', () => {
    const { exp, rel } = expand(cases['a fixture is trimmed and wrapped in Included markers'][0]);
    const s = exp.text.indexOf('select 1');
    const inside = mapRange(exp, s, s + 'select 1;'.length);
    assert.deepEqual([rel(inside.file), inside.start, inside.end], ['migrations/fixtures/a.sql', 4, 13]);
    const across = mapRange(exp, s, exp.text.indexOf('select 2'));
    assert.equal(rel(across.file), 'migrations/fixtures/a.sql');
    assert.deepEqual([across.start, across.end], [4, 13]);
    const after = mapRange(exp, exp.text.indexOf('select 2'), exp.text.indexOf('select 2') + 8);
    assert.deepEqual([rel(after.file), after.start, after.end], ['migrations/current.sql', 27, 35]);
  });
  test('without includes the map is the identity', () => {
    const { exp } = expand({ 'migrations/current.sql': 'select 1;\n-- --!include a.sql\n', 'migrations/fixtures/a.sql': '' });
    assert.equal(exp.text, 'select 1;\n-- --!include a.sql\n');
    assert.equal(mapOffset(exp, 5).offset, 5);
  });
});

describe('problems', () => {
  test('a broken directive stays as the comment it is and the rest is still expanded', () => {
    const { exp, rel } = expand({ 'migrations/current.sql': '--!include missing.sql\n--!include a.sql\n', 'migrations/fixtures/a.sql': 'select 1;' });
    assert.equal(exp.text, '--!include missing.sql\n--! Included a.sql\nselect 1;\n--! EndIncluded a.sql\n');
    assert.deepEqual(exp.problems.map((p) => [p.rule, rel(p.file), p.start, p.end]), [['include-not-found', 'migrations/current.sql', 11, 22]]);
  });
  test('a cycle carries the chain, outermost first, ending with the file included again', () => {
    const { exp, rel } = expand({ 'migrations/current.sql': '--!include a.sql\n', 'migrations/fixtures/a.sql': '--!include b.sql', 'migrations/fixtures/b.sql': 'select 1;\n--!include a.sql' });
    assert.equal(exp.problems.length, 1);
    const p = exp.problems[0];
    assert.equal(p.rule, 'include-cycle');
    assert.equal(p.message, 'circular include: a.sql -> b.sql -> a.sql');
    assert.deepEqual(p.chain.map(rel), ['migrations/fixtures/a.sql', 'migrations/fixtures/b.sql', 'migrations/fixtures/a.sql']);
    assert.deepEqual([rel(p.file), p.start, p.end], ['migrations/fixtures/b.sql', 21, 26]);
    assert.equal(exp.text, '--! Included a.sql\n--! Included b.sql\nselect 1;\n--!include a.sql\n--! EndIncluded b.sql\n--! EndIncluded a.sql\n');
  });
  test('the include-cycle finding points at each step of the chain', () => {
    const { findings } = lint({ 'migrations/current.sql': '--!include a.sql\n', 'migrations/fixtures/a.sql': '--!include b.sql', 'migrations/fixtures/b.sql': 'select 1;\n--!include a.sql' });
    const cycle = findings.filter((f) => f.rule === 'include-cycle');
    assert.equal(cycle.length, 1);
    assert.deepEqual(cycle[0].related.map((r) => [r.file, r.start, r.end, r.message]), [
      ['migrations/fixtures/a.sql', 11, 16, 'step 1 of the include cycle'],
      ['migrations/fixtures/b.sql', 21, 26, 'step 2 of the include cycle'],
    ]);
  });
  test('fixtures are recorded by real path', () => {
    const { exp, rel } = expand({ 'migrations/current.sql': '--!include link.sql\n--!include a.sql\n', 'migrations/fixtures/a.sql': 'select 1;', 'migrations/fixtures/link.sql': { symlink: 'migrations/fixtures/a.sql' } });
    assert.deepEqual([...exp.fixtures].map(rel), ['migrations/fixtures/a.sql']);
    assert.deepEqual(exp.problems, []);
  });
});

describe('fixtures included many times (issue 11 §6: 18 levels that each include the next twice took 38.7 s)', () => {
  /** Level i includes level i+1 twice; the last level is one statement. */
  function levels(depth) {
    const files = { 'migrations/current.sql': '--!include f0.sql\n' };
    for (let i = 0; i < depth; i++) files[`migrations/fixtures/f${i}.sql`] = `--!include f${i + 1}.sql\nselect ${i};\n--!include f${i + 1}.sql\n`;
    files[`migrations/fixtures/f${depth}.sql`] = "select 'leaf';\n";
    return files;
  }
  /** What graphile-migrate compiles, by its own recursion (every inclusion expanded again). */
  function reference(files, name) {
    return files[`migrations/fixtures/${name}`].trim().replace(/^--!include (\S+)$/gm, (_, n) => `--! Included ${n}\n${reference(files, n)}\n--! EndIncluded ${n}`);
  }

  test('each fixture is read, resolved and expanded once, and the text and source map are what a full expansion gives', () => {
    const files = levels(6);
    const dir = writeProject(files);
    const counts = { read: 0, realpath: 0 };
    const counting = {
      ...diskFileSystem,
      read: (f) => (counts.read++, diskFileSystem.read(f)),
      realpath: (f) => (counts.realpath++, diskFileSystem.realpath(f)),
    };
    const current = path.join(dir, 'migrations/current.sql');
    const exp = expandIncludes(counting, current, files['migrations/current.sql'], path.join(dir, 'migrations/fixtures'));
    assert.equal(exp.text, `--! Included f0.sql\n${reference(files, 'f0.sql')}\n--! EndIncluded f0.sql\n`);
    assert.equal(exp.text.split("select 'leaf'").length - 1, 64);
    assert.equal(counts.read, 7, 'one read per fixture');
    assert.ok(counts.realpath <= 7 + 3, `one realpath per fixture (and the folders): ${counts.realpath}`);
    assert.equal(exp.directives.length, 13, 'each directive once');
    assert.equal(exp.fixtures.size, 7);
    assertSourceMap(dir, exp);
  });

  test('a fixture expanded once elsewhere still reports a cycle where it closes one', () => {
    // b includes c; a includes b, and c includes a: from current, b -> c -> a is a cycle only inside a's chain.
    const { exp } = expand({
      'migrations/current.sql': '--!include b.sql\n--!include a.sql\n',
      'migrations/fixtures/a.sql': 'select 1;\n--!include b.sql\n',
      'migrations/fixtures/b.sql': 'select 2;\n--!include c.sql\n',
      'migrations/fixtures/c.sql': 'select 3;\n--!include a.sql\n',
    });
    assert.deepEqual(exp.problems.map((p) => [p.rule, p.message]), [
      ['include-cycle', 'circular include: b.sql -> c.sql -> a.sql -> b.sql'],
      ['include-cycle', 'circular include: a.sql -> b.sql -> c.sql -> a.sql'],
    ]);
  });
});
