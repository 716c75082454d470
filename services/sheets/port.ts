/** The influencer-sheet port: the sandbox CSV sheet and (later) Google Sheets both implement it. */
import type { InfluencerRow } from '../campaigns.ts';

export class SheetError extends Error {}

export interface SheetsPort {
  /** Rows of the tab (case-insensitive), falling back to the master tab (decisions D12). */
  readInfluencers(tab: string | null, spreadsheetId: string | null): Promise<{ tab: string; rows: InfluencerRow[] }>;
}

/** Sheet column headers (case-insensitive) -> influencer row fields. */
export const SHEET_COLUMNS: Record<string, keyof InfluencerRow> = {
  name: 'name',
  email: 'email',
  platform: 'platform',
  handle: 'handle',
  'average views': 'averageViews',
  'engagement rate': 'engagementRate',
  'min rate': 'minRate',
  'max rate': 'maxRate',
  agency: 'agency',
};

/** Maps one sheet record (header -> cell) to an influencer row; unknown columns are ignored. */
export function rowFromRecord(record: Record<string, string>): InfluencerRow {
  const row: Record<string, string> = {};
  for (const [header, value] of Object.entries(record)) {
    const field = SHEET_COLUMNS[header.trim().toLowerCase()];
    if (field && value.trim() !== '') row[field] = value.trim();
  }
  return row as InfluencerRow;
}
