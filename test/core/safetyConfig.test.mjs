// pgmig.json's runnerSetsLockTimeout: validated like every setting, and it turns missing-lock-timeout off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from './ruleTester.mjs';
import { graphile } from './safetyFixtures.mjs';

test('runnerSetsLockTimeout must be a boolean', () => {
  assert.throws(() => lint({ ...graphile(''), 'pgmig.json': '{ "runnerSetsLockTimeout": "yes" }' }), /"runnerSetsLockTimeout" must be true or false/);
});

test('runnerSetsLockTimeout: false keeps the rule on', () => {
  const { findings } = lint({ ...graphile('alter table orders add column if not exists a int;\n'), 'pgmig.json': '{ "runnerSetsLockTimeout": false }' });
  assert.deepEqual(findings.filter((f) => f.rule === 'missing-lock-timeout').map((f) => f.line), [1]);
});
