// A fixture that includes itself, directly or through others, can never be compiled.
import type { Rule } from '../rule';
import { includeViolations } from './includeProblems';

export const includeCycle: Rule = {
  id: 'include-cycle',
  defaultSeverity: 'error',
  summary: 'Fixtures include each other in a circle.',
  check: (ctx) => includeViolations(ctx, 'include-cycle'),
};
