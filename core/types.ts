// Shared vocabulary of the analysis. Offsets are JS string (UTF-16) offsets into a file's text; files are absolute
// paths. Adapters (CLI, LSP) convert offsets to lines and columns at their edge, nowhere else.

export type RuleId =
  | 'syntax-error'
  | 'non-idempotent-statement'
  | 'missing-rls'
  | 'rls-without-policy'
  | 'policy-without-rls'
  | 'unindexed-foreign-key'
  | 'include-not-found'
  | 'include-cycle'
  | 'include-outside-fixtures'
  | 'committed-hash-mismatch'
  | 'committed-chain-broken'
  | 'migration-without-transaction'
  | 'missing-rollback'
  | 'drop-loses-data'
  | 'column-type-change'
  | 'not-null-without-default'
  | 'alembic-multiple-heads'
  | 'duplicate-migration-number'
  | 'alembic-revision-unreadable'
  | 'applied-migration-edited'
  | 'migration-out-of-order'
  | 'statement-too-large'
  | 'non-concurrent-index'
  | 'concurrently-in-transaction'
  | 'constraint-without-not-valid'
  | 'validate-in-same-transaction'
  | 'constraint-builds-index'
  | 'add-column-rewrites-table'
  | 'set-not-null-scans-table'
  | 'rename-breaks-clients'
  | 'missing-lock-timeout'
  | 'enum-value-used-in-same-transaction'
  | 'update-or-delete-without-where'
  | 'transaction-nesting'
  | 'prefer-timestamptz'
  | 'prefer-identity'
  | 'prefer-bigint'
  | 'prefer-text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

/** A place in a file: [start, end) in string offsets. */
export interface Location {
  file: string;
  start: number;
  end: number;
}

export interface TextEdit extends Location {
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Safe fixes are applied by "fix all"; unsafe ones only on request. */
  safe: boolean;
}

export interface Related extends Location {
  message: string;
}

export interface Finding extends Location {
  rule: RuleId;
  severity: Severity;
  message: string;
  fixes: Fix[];
  related: Related[];
}

/** What role a file plays in the project; rules depend on it (idempotency is only asked of what runs repeatedly). */
export type FileRole = 'current' | 'fixture' | 'committed' | 'standalone';
