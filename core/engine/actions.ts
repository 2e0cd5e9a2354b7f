// graphile-migrate's actions (beforeAllMigrations, afterCurrent, ...): SQL files run on the database, commands run
// with GM_DBNAME / GM_DBUSER / GM_DBURL / GM_SHADOW set and DATABASE_URL deliberately poisoned, as graphile-migrate
// does. Output of commands goes to the engine's event callback, never to the console.
import { exec } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'pg-connection-string';
import { EngineError } from './errors';
import { environmentOf, type ActionSpec, type EngineSettings } from './settings';
import type { DbSession } from '../db/types';
import { substitutePlaceholders } from './sourceText';

export const DO_NOT_USE_DATABASE_URL = 'postgres://PLEASE:USE@GM_DBURL/INSTEAD';

export interface ActionContext {
  settings: EngineSettings;
  shadow: boolean;
  /** The database's URL when it is a real server (commands get it as GM_DBURL). */
  url?: string;
  /** The root connection to the same database (GM_DBURL of `root: true` commands), when configured. */
  rootUrl?: string;
  databaseName: string;
  placeholders: Record<string, string>;
  /** Runs SQL as root (`!file.sql` actions); for the embedded database the same session. */
  runRootSql: (sql: string) => Promise<void>;
  output: (stream: 'stdout' | 'stderr', text: string) => void;
}

export async function executeActions(s: DbSession, ctx: ActionContext, specs: ActionSpec[]): Promise<void> {
  for (const spec of specs) {
    if (spec.shadow !== undefined && spec.shadow !== ctx.shadow) continue;
    if (spec._ === 'sql') {
      const file = path.join(ctx.settings.migrationsFolder, spec.file);
      let body: string;
      try {
        body = fs.readFileSync(file, 'utf8');
      } catch (e: any) {
        throw new EngineError('config', `action file ${file} cannot be read: ${e?.code ?? e}`);
      }
      const sql = substitutePlaceholders(body, ctx.placeholders).text;
      if (spec.root) await ctx.runRootSql(sql);
      else await s.exec(sql);
    } else {
      const env: NodeJS.ProcessEnv = { ...environmentOf(ctx.settings), DATABASE_URL: DO_NOT_USE_DATABASE_URL, GM_DBNAME: ctx.databaseName };
      // As graphile-migrate: a root command gets the root URL and no GM_DBUSER (which user would it be?).
      const url = spec.root ? ctx.rootUrl : ctx.url;
      if (spec.root && ctx.url && !url) throw new EngineError('config', 'Cannot run a root command since rootConnectionString / ROOT_DATABASE_URL is not specified');
      if (url) {
        env.GM_DBURL = url;
        const user = parse(url).user;
        if (user && !spec.root) env.GM_DBUSER = user;
      }
      if (ctx.shadow) env.GM_SHADOW = '1';
      await new Promise<void>((resolve, reject) => {
        exec(spec.command, { env, encoding: 'utf8', maxBuffer: 50 * 1024 * 1024, cwd: ctx.settings.root }, (err, stdout, stderr) => {
          if (stdout) ctx.output('stdout', stdout);
          if (stderr) ctx.output('stderr', stderr);
          if (err) reject(new EngineError('io', `action command failed (exit ${(err as any).code ?? '?'}): ${spec.command}`));
          else resolve();
        });
      });
    }
  }
}
