// The directive injection grammar (syntaxes/pgmig-directives.injection.json): its regexes against sample lines
// (always), then the whole grammar injected into VS Code's own SQL grammar, tokenized by vscode-textmate +
// vscode-oniguruma as VS Code does (needs `bash test/vscode/setup.sh`; skipped outside CI without it). The UI suite
// checks the same scopes in a running VS Code with the token inspector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot, testVscodeDir } from './codeServer.mjs';

const grammarPath = path.join(repoRoot, 'syntaxes', 'pgmig-directives.injection.json');
const injection = JSON.parse(readFileSync(grammarPath, 'utf8'));
const sqlGrammarPath = path.join(testVscodeDir, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'sql', 'syntaxes', 'sql.tmLanguage.json');

/** line -> expected [text, scope] pairs (scope = the most specific pgmig scope of that text). */
const CASES = [
  ['--!include fixtures/users.sql', [['--!', 'punctuation.definition.directive.pgmig'], ['include', 'keyword.control.directive.include.pgmig'], ['fixtures/users.sql', 'string.unquoted.path.pgmig']]],
  ['--! include  a b/c.sql', [['include', 'keyword.control.directive.include.pgmig'], ['a b/c.sql', 'string.unquoted.path.pgmig']]],
  ['--! Previous: sha1:0123456789abcdef0123456789abcdef01234567', [['Previous', 'keyword.other.directive.header.pgmig'], [':', 'punctuation.separator.key-value.pgmig'], ['sha1:0123456789abcdef0123456789abcdef01234567', 'constant.other.hash.pgmig']]],
  ['--! Previous: -', [['Previous', 'keyword.other.directive.header.pgmig'], ['-', 'constant.other.hash.pgmig']]],
  ['--! Hash: sha1:89abcdef', [['Hash', 'keyword.other.directive.header.pgmig'], ['sha1:89abcdef', 'constant.other.hash.pgmig']]],
  ['--! Message: add users', [['Message', 'keyword.other.directive.header.pgmig'], ['add users', 'string.unquoted.header-value.pgmig']]],
  ['--! AllowInvalidHash', [['AllowInvalidHash', 'keyword.other.directive.header.pgmig']]],
  ['--! no-transaction', [['no-transaction', 'keyword.other.directive.no-transaction.pgmig']]],
  ['--! Included fixtures/a.sql', [['Included', 'keyword.other.directive.included.pgmig'], ['fixtures/a.sql', 'string.unquoted.path.pgmig']]],
  ['--! EndIncluded fixtures/a.sql', [['EndIncluded', 'keyword.other.directive.included.pgmig'], ['fixtures/a.sql', 'string.unquoted.path.pgmig']]],
  ['--! split: 001-users.sql', [['split', 'keyword.other.directive.split.pgmig'], ['001-users.sql', 'string.unquoted.path.pgmig']]],
];
/** Lines that are plain SQL comments (graphile-migrate does not read them as directives). */
const NOT_DIRECTIVES = ['-- a comment', '-- --!include x.sql', ' --!include x.sql', '--!includes x.sql', '--!Message: x', '--! lowercase: x'];

function jsRegex(rule) {
  return new RegExp(rule.match);
}

test('the grammar is an injection into source.sql that matches before the SQL comment rule', () => {
  assert.equal(injection.injectionSelector, 'L:source.sql');
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const contributed = pkg.contributes.grammars.find((g) => g.scopeName === injection.scopeName);
  assert.ok(contributed, 'contributed in package.json');
  assert.deepEqual(contributed.injectTo, ['source.sql']);
  assert.equal(path.resolve(repoRoot, contributed.path), grammarPath);
});

test('the directive regexes capture keyword and value of each directive line (node RegExp)', () => {
  const rules = injection.patterns.map((p) => injection.repository[p.include.slice(1)]);
  for (const [line, expected] of CASES) {
    const rule = rules.find((r) => jsRegex(r).test(line));
    assert.ok(rule, `a rule matches ${JSON.stringify(line)}`);
    const match = jsRegex(rule).exec(line);
    for (const [text, scope] of expected) {
      const group = Object.entries(rule.captures).find(([, c]) => c.name === scope)?.[0];
      assert.ok(group, `${scope} is captured by the rule for ${JSON.stringify(line)}`);
      assert.equal(match[Number(group)], text, `${scope} in ${JSON.stringify(line)}`);
    }
  }
  for (const line of NOT_DIRECTIVES) {
    assert.ok(!rules.some((r) => jsRegex(r).test(line)), `no directive rule matches ${JSON.stringify(line)}`);
  }
});

const textmateAvailable = existsSync(sqlGrammarPath) && existsSync(path.join(testVscodeDir, 'node_modules', 'vscode-textmate'));
const textmateOptions = !textmateAvailable && !process.env.CI ? { skip: 'vscode-textmate / code-server not installed (bash test/vscode/setup.sh)' } : {};

test('injected into VS Code\'s SQL grammar, directive lines get pgmig scopes and other comments stay comments', textmateOptions, async () => {
  assert.ok(textmateAvailable, 'test/vscode/node_modules holds vscode-textmate and code-server (run bash test/vscode/setup.sh)');
  const require = createRequire(path.join(testVscodeDir, 'package.json'));
  const textmate = require('vscode-textmate');
  const oniguruma = require('vscode-oniguruma');
  await oniguruma.loadWASM(readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.sql') return textmate.parseRawGrammar(readFileSync(sqlGrammarPath, 'utf8'), sqlGrammarPath);
      if (scopeName === injection.scopeName) return textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath);
      return null;
    },
    getInjections: (scopeName) => (scopeName === 'source.sql' ? [injection.scopeName] : undefined),
  });
  const grammar = await registry.loadGrammar('source.sql');

  const tokenize = (lines) => {
    let state = textmate.INITIAL;
    return lines.map((line) => {
      const result = grammar.tokenizeLine(line, state);
      state = result.ruleStack;
      return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
    });
  };

  const lines = CASES.map(([line]) => line);
  tokenize(lines).forEach((tokens, i) => {
    for (const [text, scope] of CASES[i][1]) {
      const token = tokens.find((t) => t.text === text);
      assert.ok(token, `a token ${JSON.stringify(text)} in ${JSON.stringify(lines[i])}; got ${JSON.stringify(tokens.map((t) => t.text))}`);
      assert.ok(token.scopes.includes(scope), `${JSON.stringify(text)} has ${scope}; got ${token.scopes.join(' ')}`);
      assert.ok(!token.scopes.some((s) => s.startsWith('comment.')), `${JSON.stringify(text)} is not a comment`);
    }
  });
  for (const [i, tokens] of tokenize(NOT_DIRECTIVES).entries()) {
    assert.ok(tokens.every((t) => !t.scopes.some((s) => s.endsWith('.pgmig'))), `no pgmig scope in ${JSON.stringify(NOT_DIRECTIVES[i])}`);
    assert.ok(tokens.some((t) => t.scopes.some((s) => s.startsWith('comment.line'))), `${JSON.stringify(NOT_DIRECTIVES[i])} is a comment`);
  }
  // SQL around the directives keeps its own scopes.
  const [, selectTokens] = tokenize(['--!include a.sql', 'select 1; -- trailing']);
  assert.ok(selectTokens.find((t) => t.text === 'select').scopes.some((s) => s.startsWith('keyword.other.DML.sql')));
  assert.ok(selectTokens.some((t) => t.scopes.some((s) => s.startsWith('comment.line'))));
});
