// The cases of every rule, one file per rule under rules/ (valid and invalid side by side), run in one process:
// loading the parser once per rule file would cost more than the cases themselves. Run one rule's file alone with
// `node --test test/core/rules/<rule-id>.mjs`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rules');
for (const name of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) await import(path.join(dir, name));
