// The CLI's findings for every project in a workspace folder: what the editor must show, computed at test time so
// the expectation follows the sample and the rules. Projects are found the way the server's Workspace.scan does
// (core's isProjectRoot, same depth and skipped folders); each is linted by `node dist/cli.js lint --format json
// --root <project>`. CommonJS: the extension host require()s it, ui.test.mjs imports it.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const cliPath = path.join(repoRoot, 'dist', 'cli.js');
const { isProjectRoot, diskFileSystem } = loadCore();

function loadCore() {
  const project = require(path.join(repoRoot, 'out', 'core', 'project.js'));
  const files = require(path.join(repoRoot, 'out', 'core', 'fileSystem.js'));
  return { isProjectRoot: project.isProjectRoot, diskFileSystem: files.diskFileSystem };
}

// server/workspace.ts: SKIP_DIRS, the depth of scan() and the folders it does not descend into.
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', 'target', 'vendor']);
const SCAN_DEPTH = 4;
const NOT_DESCENDED = new Set(['migrations', 'committed', 'fixtures']);

/** Project roots under `folder`, as the server's scan finds them. */
function projectRoots(folder) {
  const roots = [];
  const visit = (dir, depth) => {
    if (isProjectRoot(diskFileSystem, dir)) roots.push(dir);
    if (depth >= SCAN_DEPTH) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name) || NOT_DESCENDED.has(entry.name)) continue;
      if (entry.isDirectory()) visit(path.join(dir, entry.name), depth + 1);
    }
  };
  visit(folder, 0);
  return roots;
}

/**
 * Every CLI finding of every project under `folder`, with `file` relative to `folder` ('/'-separated) and the
 * CLI's 1-based line/column fields. `node` is the Node.js binary to run the CLI with.
 */
function cliFindings(folder, node = process.execPath) {
  const findings = [];
  for (const root of projectRoots(folder)) {
    let output;
    try {
      output = execFileSync(node, [cliPath, 'lint', '--format', 'json', '--root', root], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    } catch (error) {
      if (error.status !== 1) throw new Error(`pgmig lint --root ${root} exited ${error.status}: ${error.stderr}`);
      output = error.stdout; // 1 = there are error findings
    }
    for (const f of JSON.parse(output)) {
      findings.push({ ...f, file: path.relative(folder, path.resolve(root, f.file)).split(path.sep).join('/') });
    }
  }
  return findings;
}

module.exports = { projectRoots, cliFindings };
