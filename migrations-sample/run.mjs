// `npm run sample`: the main job on the sample projects. Lint exits 1 here because the samples exist to show
// findings; exit code 2 (bad setup), anything on stderr or a crash fails this script.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli.js');

function pgmig(args, { okCodes }) {
  console.log(`\n$ pgmig ${args.join(' ')}`);
  // stderr is watched: lint reports findings on stdout only, and a crash also exits 1 (with its reason on stderr).
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  process.stderr.write(r.stderr ?? '');
  if (!okCodes.includes(r.status) || r.stderr) {
    console.error(`pgmig ${args.join(' ')} failed (exit code ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

pgmig(['lint', '--root', path.relative(process.cwd(), here) || '.'], { okCodes: [0, 1] });
pgmig(['lint', '--root', path.relative(process.cwd(), path.join(here, 'broken-history'))], { okCodes: [0, 1] });

// Migrate the sample into the embedded database (PGlite in migrations-sample/.pgmig, no server needed), then print
// its status (exit code 2: the sample's current.sql is not empty, as graphile-migrate's status reports it).
const root = path.relative(process.cwd(), here) || '.';
pgmig(['migrate', '--root', root], { okCodes: [0] });
pgmig(['status', '--root', root], { okCodes: [0, 2] });
