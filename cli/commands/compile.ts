// `pgmig compile [FILE]` (graphile-migrate's compile): prints FILE, or current.sql, with `--!include`s expanded and
// :PLACEHOLDERS substituted. Touches no database.
import { compileFile } from '../../core/layouts/graphileCompile';
import { out, parse, runForTargets } from './engineCli';
import type { Command } from './index';

export const compileCommand: Command = {
  summary: 'print a file (default current.sql) with includes expanded and placeholders substituted [FILE] [--shadow]',
  async run(argv) {
    const { values, positionals } = parse(argv, { shadow: { type: 'boolean' } }, true);
    if (values.help) return out('pgmig compile [FILE] [--shadow] [--root DIR] [--target NAME]\n\nPrints FILE (default: current.sql, or the current/ folder) as graphile-migrate compiles it: --!include expanded, :PLACEHOLDERS substituted (--shadow: the shadow database\'s).'), 0;
    if (positionals.length > 1) return out('pgmig compile takes at most one file'), 2;
    return runForTargets(values, async (engine) => {
      // As graphile-migrate prints it (console.log: the text and one more line break).
      process.stdout.write(compileFile(engine, { file: positionals[0], shadow: !!values.shadow }).text + '\n');
      return 0;
    });
  },
};
