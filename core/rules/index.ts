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
import { statementTooLarge } from './statementTooLarge';
// Migration safety (locks, rewrites, transactions) and type hygiene: issue 13.
import { nonConcurrentIndex } from './nonConcurrentIndex';
import { concurrentlyInTransaction } from './concurrentlyInTransaction';
import { constraintWithoutNotValid } from './constraintWithoutNotValid';
import { validateInSameTransaction } from './validateInSameTransaction';
import { constraintBuildsIndex } from './constraintBuildsIndex';
import { addColumnRewritesTable } from './addColumnRewritesTable';
import { setNotNullScansTable } from './setNotNullScansTable';
import { renameBreaksClients } from './renameBreaksClients';
import { missingLockTimeout } from './missingLockTimeout';
import { enumValueUsedInSameTransaction } from './enumValueUsedInSameTransaction';
import { updateOrDeleteWithoutWhere } from './updateOrDeleteWithoutWhere';
import { transactionNesting } from './transactionNesting';
import { preferTimestamptz } from './preferTimestamptz';
import { preferIdentity } from './preferIdentity';
import { preferBigint } from './preferBigint';
import { preferText } from './preferText';

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
  statementTooLarge,
  nonConcurrentIndex,
  concurrentlyInTransaction,
  constraintWithoutNotValid,
  validateInSameTransaction,
  constraintBuildsIndex,
  addColumnRewritesTable,
  setNotNullScansTable,
  renameBreaksClients,
  missingLockTimeout,
  enumValueUsedInSameTransaction,
  updateOrDeleteWithoutWhere,
  transactionNesting,
  preferTimestamptz,
  preferIdentity,
  preferBigint,
  preferText,
];
