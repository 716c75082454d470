/**
 * Opt-in live test against a real Google spreadsheet (`npm run test:live`); skipped without GOOGLE_SHEETS_KEY and
 * SHEETS_SERVICE_ACCOUNT_PATH. Reads the master tab (SHEETS_MASTER_TAB, default Sheet1) through the adapter.
 */
import { expect } from 'chai';
import { createGoogleSheet, createSheetsAuth, createSheetsClient } from '../../services/sheets/google.ts';

describe('live: Google Sheets', function () {
  this.timeout(60_000);
  const spreadsheetId = process.env.GOOGLE_SHEETS_KEY;
  const keyPath = process.env.SHEETS_SERVICE_ACCOUNT_PATH;

  before(function () {
    if (!spreadsheetId || !keyPath) this.skip();
  });

  it('reads the master tab', async () => {
    const auth = createSheetsAuth({ serviceAccountPath: keyPath as string });
    const sheet = createGoogleSheet({
      sheets: createSheetsClient({ auth }),
      spreadsheetId: spreadsheetId as string,
      masterTab: process.env.SHEETS_MASTER_TAB ?? 'Sheet1',
    });
    const { tab, rows } = await sheet.readInfluencers(null, null);
    expect(tab).to.be.a('string');
    expect(rows).to.be.an('array');
  });
});
