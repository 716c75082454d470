/** The sandbox influencer sheet: one CSV file per tab in a folder (`<tab>.csv`), header row first. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { InfluencerRow } from '../campaigns.ts';
import { rowFromRecord, SheetError, type SheetsPort } from './port.ts';

/**
 * Parses a sheet tab saved as CSV (header row first, the columns of SHEET_COLUMNS; blank lines skipped): its
 * headers and one row per record, the first being the sheet's row 2. Throws on malformed CSV.
 */
export function parseSheetCsv(text: string | Buffer): { headers: string[]; rows: InfluencerRow[] } {
  let headers: string[] = [];
  const records = parse(text, {
    columns: (header: string[]) => {
      headers = header;
      return header;
    },
    skip_empty_lines: true,
    trim: true,
    bom: true,
    relax_column_count: true,
  }) as Record<string, string>[];
  return { headers, rows: records.map(rowFromRecord) };
}

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
      return { tab: name, rows: parseSheetCsv(readFileSync(join(dir, `${name}.csv`))).rows };
    },
  };
}
