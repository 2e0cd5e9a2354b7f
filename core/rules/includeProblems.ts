// The three include rules share one source: the problems the include expander found while expanding current.
import type { IncludeRule } from '../includes';
import type { RuleContext, Violation } from '../rule';

export function includeViolations(ctx: RuleContext, rule: IncludeRule): Violation[] {
  const out: Violation[] = [];
  for (const s of ctx.scripts) {
    for (const p of s.expansion.problems) {
      if (p.rule !== rule) continue;
      out.push({
        location: { file: p.file, start: p.start, end: p.end },
        message: p.message,
        related: (p.chain ?? []).slice(0, -1).map((file, i, steps) => {
          // Point at the directive in each file of the chain that includes the next one; the last step is the
          // directive that closes the circle, the one reported.
          if (i === steps.length - 1) return { file, start: p.start, end: p.end, message: `step ${i + 1} of the include cycle` };
          const d = s.expansion.directives.find((x) => x.file === file && x.target === p.chain![i + 1]);
          return { file, start: d?.pathStart ?? 0, end: d?.pathEnd ?? 0, message: `step ${i + 1} of the include cycle` };
        }),
      });
    }
  }
  return out;
}
