/** The sandbox influencer sheet: one CSV file per tab in a folder (`<tab>.csv`), header row first. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { rowFromRecord, SheetError, type SheetsPort } from './port.ts';

export function createCsvSheet(dir: string, masterTab: string): SheetsPort {
  const tabs = () =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.toLowerCase().endsWith('.csv'))
          .map((f) => basename(f, '.csv'))
      : [];
  const find = (tab: string) => tabs().find((t) => t.trim().toLowerCase() === tab.trim().toLowerCase());

  return {
    async readInfluencers(tab) {
      const name = (tab && find(tab)) ?? find(masterTab);
      if (!name) {
        throw new SheetError(
          `sheet tab "${tab ?? masterTab}" not found and no master tab "${masterTab}" (tabs in ${dir}: ${tabs().join(', ') || 'none'})`,
        );
      }
      const records = parse(readFileSync(join(dir, `${name}.csv`)), {
        columns: true,
        skip_empty_lines: true,
        trim: true,
        bom: true,
        relax_column_count: true,
      }) as Record<string, string>[];
      return { tab: name, rows: records.map(rowFromRecord) };
    },
  };
}
