// graphile-migrate refuses to compile current when an included fixture does not exist.
import type { Rule } from '../rule';
import { includeViolations } from './includeProblems';

export const includeNotFound: Rule = {
  id: 'include-not-found',
  defaultSeverity: 'error',
  summary: '`--!include` names a fixture that does not exist under migrations/fixtures.',
  check: (ctx) => includeViolations(ctx, 'include-not-found'),
};
