// Which tables the table rules look at: not temporary ones, not excluded schemas or tables.
import type { PgmigConfig } from '../project';
import type { TableModel } from '../schema/model';

export function isChecked(t: TableModel, config: PgmigConfig): boolean {
  if (t.temporary) return false;
  if (config.excludedSchemas.includes(t.schema)) return false;
  return !config.excludedTables.some((e) => e === `${t.schema}.${t.name}` || (t.schema === 'public' && e === t.name));
}

/** The CREATE TABLE statement up to the end of the table's name: a short place to report table findings. */
export function tableHead(t: TableModel) {
  const { created, nameLocation } = t;
  if (nameLocation.file === created.file && nameLocation.end > created.start && nameLocation.end <= created.end) {
    return { file: created.file, start: created.start, end: nameLocation.end };
  }
  return nameLocation;
}
