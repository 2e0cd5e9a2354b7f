// Text from files shown on a terminal: lint's findings and the engine commands' errors quote it.

// Control characters (terminal escape sequences start with ESC, 0x1b, or the C1 CSI, 0x9b) and the bidirectional
// overrides that make a line read differently from what it is: a file's text must not drive the terminal.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with its control characters written as escapes (`\x1b`, `\u202e`); tabs stay. */
export function visible(s: string): string {
  return s.replace(CONTROLS, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? '\\x' + n.toString(16).padStart(2, '0') : '\\u' + n.toString(16).padStart(4, '0');
  });
}

/**
 * An engine error's excerpt (`    2 | text` lines, then `      | ^` under the column) with the file's control
 * characters escaped, the caret moved to stay under the same character.
 */
export function visibleExcerpt(excerpt: string): string {
  const lines = excerpt.split('\n');
  const caret = /^(\s*\| )([\t ]*)\^$/.exec(lines[lines.length - 1] ?? '');
  const source = caret && lines.length > 1 ? /^(\s*\d+ \| )(.*)$/.exec(lines[lines.length - 2]) : null;
  const shown = lines.map((l) => visible(l));
  if (caret && source) shown[shown.length - 1] = caret[1] + visible(source[2].slice(0, caret[2].length)).replace(/[^\t]/g, ' ') + '^';
  return shown.join('\n');
}
