// A dotenv file (`.env`) beside a project: where graphile-migrate users keep DATABASE_URL, ROOT_DATABASE_URL and the
// variables their `.gmrc`'s `!ENV` placeholders name (their scripts load it with `dotenv`; an editor or a CI shell
// was not started with them). Parsed by dotenv itself, so a file means here what it means to the project's own
// tools; merged as dotenv merges: a variable already in the process environment wins over the file's. Values are
// secrets (passwords in URLs): they are never logged, only names are.
import fs from 'node:fs';
import { parse } from 'dotenv';
import { EngineError } from './errors';

export interface EnvFile {
  /** Absolute path of the file read. */
  path: string;
  /** Its variables, as dotenv parses them. */
  variables: Record<string, string>;
}

/**
 * Reads a dotenv file. A missing file gives undefined, unless `required` (a file the user named: the CLI's
 * `--env-file`, the editor's `pgmig.envFile` set to a path), which is a config error naming the path.
 */
export function readEnvFile(file: string, required: boolean): EnvFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT' && !required) return undefined;
    throw new EngineError('config', `env file ${file} cannot be read: ${e?.code === 'ENOENT' ? 'not found' : e?.code ?? e}`);
  }
  return { path: file, variables: parse(text) };
}

/** The environment settings are resolved from: the file's variables, overridden by `env`'s (dotenv's precedence). */
export function withEnvFile(env: NodeJS.ProcessEnv, file: EnvFile | undefined): NodeJS.ProcessEnv {
  return file ? { ...file.variables, ...env } : env;
}
