// A script is one unit PostgreSQL runs: a committed migration, current.sql (or one file of current/) with its
// includes expanded, or a standalone file. Its statements' offsets are in the expanded text; `locate` maps them
// back to the file where the text lives.
import { type Expansion, mapRange } from './includes';
import type { ParsedScript, Statement } from './sql/parser';
import type { FileRole, Location } from './types';

export interface Script {
  file: string;
  role: FileRole;
  expansion: Expansion;
  parsed: ParsedScript;
}

export function locate(script: Script, start: number, end: number): Location {
  return mapRange(script.expansion, start, end);
}

export function statementLocation(script: Script, s: Statement): Location {
  return locate(script, s.start, s.end);
}

const IDENT_CHAIN = /(?:"(?:[^"]|"")*"|[\p{L}_][\p{L}\p{N}_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\p{L}_][\p{L}\p{N}_$]*))*/uy;

/** The range of a (possibly qualified) name written at `offset` of the script text, e.g. a RangeVar's location. */
export function nameRange(script: Script, offset: number): Location {
  const text = script.expansion.text;
  IDENT_CHAIN.lastIndex = offset;
  const m = IDENT_CHAIN.exec(text);
  return locate(script, offset, offset + (m ? m[0].length : 1));
}
