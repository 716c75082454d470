/**
 * The influencer sheet on Google Sheets (decisions D12, domain.md §6.2) over the real @googleapis/sheets client.
 * - The tab is found among the spreadsheet's tab titles (spreadsheets.get, titles only), trimmed and compared
 *   case-insensitively, falling back to the master tab; a campaign's own spreadsheet (its sheetId: an id or a
 *   sheet URL) replaces the configured one for that read. Titles are read on every call (tabs get renamed).
 * - Values are read once per call as displayed (FORMATTED_VALUE): "$1,000", "50,000" and "2.5%" reach the
 *   campaign code as the strings it parses. The first non-blank row is the header (case and spacing ignored);
 *   blank rows are skipped, short rows read as blank cells, columns without a known header are ignored.
 * - Every failure is a SheetError saying what to fix (no such spreadsheet, access denied, no such tab).
 * - Retries are gaxios's defaults: both calls are GETs, retried on 429/5xx/network errors.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type sheets_v4, sheets as sheetsApi } from '@googleapis/sheets';
import { JWT } from 'google-auth-library';
import { statusOf } from '../google-errors.ts';
import { rowFromRecord, SheetError, type SheetsPort } from './port.ts';

export const SHEETS_SCOPES = ['https://www.googleapis.com/auth/spreadsheets.readonly'];

/** A Sheets client; rootUrl points it at a local fake in tests. */
export function createSheetsClient(opts: { auth: sheets_v4.Options['auth']; rootUrl?: string }): sheets_v4.Sheets {
  return sheetsApi({ version: 'v4', auth: opts.auth, ...(opts.rootUrl ? { rootUrl: opts.rootUrl } : {}) });
}

export interface GoogleSheetOptions {
  sheets: sheets_v4.Sheets;
  /** The master spreadsheet (GOOGLE_SHEETS_KEY): an id or a docs.google.com URL. */
  spreadsheetId: string;
  /** The tab read when a campaign has none, or its tab does not exist (SHEETS_MASTER_TAB). */
  masterTab: string;
  /** Named in the access-denied error: the account the spreadsheet must be shared with. */
  serviceAccountEmail?: string;
}

export function createGoogleSheet(opts: GoogleSheetOptions): SheetsPort {
  const { sheets, masterTab } = opts;
  const master = spreadsheetIdOf(opts.spreadsheetId);
  if (!master) throw new SheetError('Google Sheets: the spreadsheet id (GOOGLE_SHEETS_KEY) is empty');
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

  async function call<T>(spreadsheetId: string, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw sheetError(error, spreadsheetId, what, opts.serviceAccountEmail);
    }
  }

  return {
    async readInfluencers(tab, spreadsheetOverride) {
      const spreadsheetId = (spreadsheetOverride && spreadsheetIdOf(spreadsheetOverride)) || master;
      const meta = await call(spreadsheetId, 'reading its tab names', () =>
        sheets.spreadsheets.get({ spreadsheetId, fields: 'sheets.properties.title' }),
      );
      const titles = (meta.data.sheets ?? [])
        .map((s) => s.properties?.title)
        .filter((t): t is string => typeof t === 'string');
      const title = (tab && titles.find((t) => same(t, tab))) ?? titles.find((t) => same(t, masterTab));
      if (!title) {
        throw new SheetError(
          `sheet tab "${tab ?? masterTab}" not found and no master tab "${masterTab}" in spreadsheet ${spreadsheetId} (tabs: ${titles.join(', ') || 'none'})`,
        );
      }
      const res = await call(spreadsheetId, `reading tab "${title}"`, () =>
        sheets.spreadsheets.values.get({
          spreadsheetId,
          range: quoteTab(title), // the whole tab, however many columns
          majorDimension: 'ROWS',
          valueRenderOption: 'FORMATTED_VALUE',
        }),
      );
      return { tab: title, rows: recordsOf(res.data.values ?? []).map(rowFromRecord) };
    },
  };
}

/** A spreadsheet id from an id or a Sheets URL (".../spreadsheets/d/<id>/edit#gid=0"). */
export function spreadsheetIdOf(value: string): string {
  const text = value.trim();
  return /\/spreadsheets\/d\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? text;
}

/** A1 notation for every cell of a tab: the title in single quotes, inner quotes doubled. */
export function quoteTab(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

const cellText = (cell: unknown): string => (cell == null ? '' : String(cell)).trim();
const isBlank = (row: unknown[] | undefined) => !row || row.every((cell) => cellText(cell) === '');

/** Rows of cells -> header-keyed records: first non-blank row is the header; blank rows are skipped. */
export function recordsOf(values: unknown[][]): Record<string, string>[] {
  const start = values.findIndex((row) => !isBlank(row));
  if (start < 0) return [];
  // Header spacing is not meaningful ("Average  Views", "Min Rate " with a non-breaking space).
  const header = values[start].map((cell) => cellText(cell).replace(/\s+/g, ' '));
  const records: Record<string, string>[] = [];
  for (const row of values.slice(start + 1)) {
    if (isBlank(row)) continue;
    const record: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name && !(name in record && record[name] !== '')) record[name] = cellText(row[i]);
    });
    records.push(record);
  }
  return records;
}

/** Google's error message when it answered, else the transport's; never the request (it carries the token). */
function googleMessage(err: unknown): string {
  const data = (err as { response?: { data?: { error?: { message?: unknown } } } }).response?.data;
  if (typeof data?.error?.message === 'string') return data.error.message;
  return err instanceof Error ? err.message : String(err);
}

function sheetError(err: unknown, spreadsheetId: string, what: string, account: string | undefined): SheetError {
  const status = statusOf(err);
  const detail = googleMessage(err);
  const where = `Google Sheets spreadsheet ${spreadsheetId}`;
  switch (status) {
    case 404:
      return new SheetError(`${where} not found (check the spreadsheet id; ${detail})`);
    case 403:
      return new SheetError(
        `${where}: access denied while ${what} (share it with ${account ?? 'the service account'}, read access is enough; ${detail})`,
      );
    case 401:
      return new SheetError(`${where}: Google refused the credentials while ${what} (${detail})`);
    case 400:
      return new SheetError(`${where}: Google rejected the request while ${what} (${detail})`);
    default:
      return new SheetError(`${where}: ${what} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`);
  }
}

/**
 * Service-account credentials for Sheets (SHEETS_SERVICE_ACCOUNT_PATH). The spreadsheet is shared with the
 * account's client_email; no delegation. Throws SheetError naming the file when it cannot be used.
 */
export function createSheetsAuth(opts: { serviceAccountPath: string; tokenUrl?: string }): JWT {
  const path = opts.serviceAccountPath;
  const fail = (problem: string) => new SheetError(`Google Sheets service account key file ${path}: ${problem}`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // JSON.parse's message quotes the file, which holds the private key: never pass it on.
    throw fail(code === 'ENOENT' ? 'file not found' : code ? `cannot read the file (${code})` : 'not valid JSON');
  }
  if (typeof json !== 'object' || json === null) throw fail('not a JSON object');
  if (json.type !== 'service_account') throw fail(`type is ${JSON.stringify(json.type)}, expected "service_account"`);
  const missing = ['client_email', 'private_key'].filter((f) => typeof json[f] !== 'string' || json[f] === '');
  if (missing.length) throw fail(`missing ${missing.join(', ')}`);
  const key = json.private_key as string;
  try {
    createPrivateKey(key);
  } catch {
    throw fail('private_key is not a valid PEM private key');
  }
  const client = new JWT({
    email: json.client_email as string,
    key,
    keyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
    scopes: SHEETS_SCOPES,
  });
  const tokenUrl = opts.tokenUrl;
  if (tokenUrl) {
    // JWT's token request goes to a fixed Google URL (gtoken ignores `endpoints`): tests redirect it.
    client.transporter.interceptors.request.add({
      resolved: async (options) => {
        if (options.url.href === 'https://oauth2.googleapis.com/token') options.url = new URL(tokenUrl);
        return options;
      },
    });
  }
  return client;
}
