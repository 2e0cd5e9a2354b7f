// Since PostgreSQL 11 ADD COLUMN with a constant or stable default (0, 'x', now()) only records the default: no
// rewrite. A volatile default (gen_random_uuid(), random(), clock_timestamp(), nextval(), a function declared or
// left VOLATILE, in a language PostgreSQL cannot inline), a serial or identity column, or a STORED generated column gives each row its own value: the whole
// table is rewritten under ACCESS EXCLUSIVE, and no query runs until it is done.
import type { Rule, RuleContext, Violation } from '../rule';
import { locate } from '../script';
import { tableText } from './reviewScope';
import { existingTableCommands, findInTree } from './safetyScope';

const str = (n: any): string => n?.String?.sval ?? '';

/** PostgreSQL's volatile built-ins that show up in defaults. */
const VOLATILE = new Set(['gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'random', 'random_normal', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'gen_random_bytes', 'setseed', 'pg_current_xact_id']);

/** Functions the migrations create, by name: whether they are volatile (VOLATILE is the default). */
const userFunctions = new WeakMap<RuleContext, Map<string, boolean>>();
function userVolatility(ctx: RuleContext): Map<string, boolean> {
  let m = userFunctions.get(ctx);
  if (m) return m;
  m = new Map();
  for (const script of ctx.scripts) {
    for (const s of script.parsed.statements) {
      if (s.type !== 'CreateFunctionStmt' || s.node.is_procedure) continue;
      const name = str((s.node.funcname ?? []).at(-1));
      const option = (k: string) => (s.node.options ?? []).find((o: any) => o.DefElem?.defname === k)?.DefElem?.arg;
      const v = option('volatility');
      // A LANGUAGE sql function may be inlined into the default, which is then as volatile as its body: not known here.
      m.set(name, (!v || str(v) === 'volatile') && str(option('language')).toLowerCase() !== 'sql');
    }
  }
  userFunctions.set(ctx, m);
  return m;
}

/** The first volatile function call in an expression, or undefined. */
function volatileCall(ctx: RuleContext, node: any): string | undefined {
  return findInTree(node, (n) => {
    if (!n.FuncCall) return undefined;
    const name = str((n.FuncCall.funcname ?? []).at(-1)).toLowerCase();
    return VOLATILE.has(name) || userVolatility(ctx).get(name) ? `${name}()` : undefined;
  });
}

export const addColumnRewritesTable: Rule = {
  id: 'add-column-rewrites-table',
  defaultSeverity: 'warning',
  summary: 'ADD COLUMN with a volatile default, serial, identity or GENERATED ... STORED on a table earlier migrations created: the table is rewritten under ACCESS EXCLUSIVE.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { st, cmd } of existingTableCommands(ctx)) {
      const { script, statement: s } = st;
      if (cmd.subtype !== 'AT_AddColumn') continue;
      const def = cmd.def?.ColumnDef;
      const cons: any[] = (def?.constraints ?? []).map((x: any) => x.Constraint);
      const type = str((def?.typeName?.names ?? []).at(-1)).toLowerCase();
      let why: string | undefined;
      if (/^(?:small|big)?serial[248]?$/.test(type)) why = `its type ${type} fills every row from a sequence`;
      else if (cons.some((k) => k?.contype === 'CONSTR_IDENTITY') || def?.identity) why = 'an identity column fills every row from a sequence';
      else if (cons.some((k) => k?.contype === 'CONSTR_GENERATED' && k.generated_kind !== 'v')) why = 'a STORED generated column is computed for every row';
      else {
        const d = cons.find((k) => k?.contype === 'CONSTR_DEFAULT');
        const f = d && volatileCall(ctx, d.raw_expr);
        if (f) why = `its default ${f} is volatile: each row gets its own value`;
      }
      if (!why) continue;
      out.push({
        location: locate(script, s.start, s.end),
        message: `adds column ${def.colname} to ${tableText(s.node.relation)}, and ${why}: the whole table is rewritten under an ACCESS EXCLUSIVE lock (no query runs until it is done); add the column without it (or with a constant default), then fill it in batches`,
      });
    }
    return out;
  },
};
