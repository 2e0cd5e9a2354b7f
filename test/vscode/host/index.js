// Test runner loaded INSIDE the real VS Code extension host (workbench payload `extensionTestsPath`).
// Runs every host/*.host.js with mocha (tdd: suite/test) and writes one JSON line per test result to the file named
// by PGMIG_HOST_TEST_REPORT (set by extensionHost.test.mjs on the code-server process, so the extension host
// inherits it); the driver turns those lines into node:test subtests. Plain CommonJS: the host require()s it.
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

/** Mocha reporter: human-readable lines on the console (forwarded to codeAutomationLog) + JSON lines to a file. */
function JsonLinesReporter(runner) {
  Mocha.reporters.Base.call(this, runner);
  const reportFile = process.env.PGMIG_HOST_TEST_REPORT;
  const write = (result) => {
    console.log(`[pgmig-host] ${result.state.toUpperCase()} ${result.title}${result.error ? `: ${result.error}` : ''}`);
    if (reportFile) fs.appendFileSync(reportFile, JSON.stringify(result) + '\n');
  };
  runner.on(EVENT_TEST_PASS, (test) => write({ title: test.fullTitle(), file: fileOf(test), state: 'passed', ms: test.duration }));
  runner.on(EVENT_TEST_PENDING, (test) => {
    const reason = skipReasonOf(test);
    // Tests that another driver runs (workflow.test.mjs) are counted there, not as skips here.
    if (reason && reason.startsWith('run by ')) return;
    write({ title: test.fullTitle(), file: fileOf(test), state: 'skipped', reason });
  });
  // Also fires for failing hooks (test.type === 'hook'), whose tests then never run: report them too.
  runner.on(EVENT_TEST_FAIL, (test, error) =>
    write({ title: test.fullTitle(), file: fileOf(test), state: 'failed', ms: test.duration, error: (error && error.stack) || String(error) }),
  );
  runner.once(EVENT_RUN_END, () => console.log(`[pgmig-host] done: ${runner.stats.passes} passed, ${runner.stats.failures} failed, ${runner.stats.pending} skipped`));
}

/** A test file may set `suite.pgmigSkipReason` before skipping (mocha's skip carries no reason). */
function skipReasonOf(test) {
  for (let node = test; node; node = node.parent) if (node.pgmigSkipReason) return node.pgmigSkipReason;
  return undefined;
}

function fileOf(test) {
  return test.file ? path.basename(test.file) : undefined;
}

exports.run = function run() {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: JsonLinesReporter });
  if (process.env.PGMIG_HOST_TEST_GREP) mocha.grep(process.env.PGMIG_HOST_TEST_GREP);
  for (const name of fs.readdirSync(__dirname).filter((n) => n.endsWith('.host.js')).sort()) {
    mocha.addFile(path.join(__dirname, name));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
    } catch (error) {
      reject(error);
    }
  });
};
