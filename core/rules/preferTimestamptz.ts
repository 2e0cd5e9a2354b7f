// timestamp without time zone stores wall-clock readings: the same instant reads differently per server and session
// time zone, and comparisons across zones or DST changes go wrong. timestamptz stores the instant.
import { typeRule } from './preferTypes';

export const preferTimestamptz = typeRule({
  id: 'prefer-timestamptz',
  summary: 'A new column of type timestamp (without time zone): use timestamptz.',
  message: (c) => (c.type === 'timestamp' ? `column ${c.def.colname} is timestamp without time zone: it stores a wall-clock reading, not an instant; use timestamptz` : undefined),
  written: /timestamp(?:\s*\(\s*\d+\s*\))?(?:\s+without\s+time\s+zone)?/,
  replacement: (_c, w) => {
    const p = /\(\s*\d+\s*\)/.exec(w);
    return p ? `timestamptz${p[0].replace(/\s+/g, '')}` : 'timestamptz';
  },
  safe: true,
});
