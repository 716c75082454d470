/** Live Google Sheets for the service: the service account and the master tab are checked at start. */
import { createGoogleSheet, createSheetsAuth, createSheetsClient } from '../services/sheets/google.ts';
import type { SheetsPort } from '../services/sheets/port.ts';
import { type Config, ConfigError } from './config.ts';

export async function connectSheets(
  settings: NonNullable<Config['sheets']['google']>,
  config: Pick<Config, 'sheets' | 'env'>,
): Promise<SheetsPort> {
  try {
    const auth = createSheetsAuth({
      serviceAccountPath: settings.serviceAccountPath,
      tokenUrl: config.env.GOOGLE_TOKEN_URL,
    });
    const sheet = createGoogleSheet({
      sheets: createSheetsClient({ auth, rootUrl: settings.apiUrl }),
      spreadsheetId: settings.spreadsheetId,
      masterTab: config.sheets.masterTab,
      serviceAccountEmail: auth.email ?? undefined,
    });
    await sheet.readInfluencers(null, null); // the master tab must be readable before campaigns arrive
    return sheet;
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}
