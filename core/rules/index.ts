// Every rule, in the order findings are reported when positions tie. Rule ids are part of the CLI and editor interface.
import type { Rule } from '../rule';
import { committedChainBroken } from './committedChainBroken';
import { committedHashMismatch } from './committedHashMismatch';
import { includeCycle } from './includeCycle';
import { includeNotFound } from './includeNotFound';
import { includeOutsideFixtures } from './includeOutsideFixtures';
import { missingRls } from './missingRls';
import { nonIdempotentStatement } from './nonIdempotentStatement';
import { policyWithoutRls } from './policyWithoutRls';
import { rlsWithoutPolicy } from './rlsWithoutPolicy';
import { syntaxError } from './syntaxError';
import { unindexedForeignKey } from './unindexedForeignKey';
import { migrationWithoutTransaction } from './migrationWithoutTransaction';
import { missingRollback } from './missingRollback';
import { dropLosesData } from './dropLosesData';
import { columnTypeChange } from './columnTypeChange';
import { notNullWithoutDefault } from './notNullWithoutDefault';
import { alembicMultipleHeads } from './alembicMultipleHeads';
import { duplicateMigrationNumber } from './duplicateMigrationNumber';
import { alembicRevisionUnreadable } from './alembicRevisionUnreadable';
import { statementTooLarge } from './statementTooLarge';

export const rules: readonly Rule[] = [
  syntaxError,
  nonIdempotentStatement,
  missingRls,
  rlsWithoutPolicy,
  policyWithoutRls,
  unindexedForeignKey,
  includeNotFound,
  includeCycle,
  includeOutsideFixtures,
  committedHashMismatch,
  committedChainBroken,
  migrationWithoutTransaction,
  missingRollback,
  dropLosesData,
  columnTypeChange,
  notNullWithoutDefault,
  alembicMultipleHeads,
  duplicateMigrationNumber,
  alembicRevisionUnreadable,
  statementTooLarge,
];
