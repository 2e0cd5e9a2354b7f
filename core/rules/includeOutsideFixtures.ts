// graphile-migrate only includes files inside migrations/fixtures (after resolving symbolic links), so that a
// migration cannot pull in arbitrary files.
import type { Rule } from '../rule';
import { includeViolations } from './includeProblems';

export const includeOutsideFixtures: Rule = {
  id: 'include-outside-fixtures',
  defaultSeverity: 'error',
  summary: '`--!include` resolves to a file outside migrations/fixtures.',
  check: (ctx) => includeViolations(ctx, 'include-outside-fixtures'),
};
