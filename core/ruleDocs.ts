// Where each rule is documented: the CLI's SARIF output and the editor's diagnostics link there.
const RULE_DOCS = 'https://github.com/pgmig/pgmig/blob/main/README.md#rule-';

export function ruleDocUrl(rule: string): string {
  return RULE_DOCS + rule;
}
