/**
 * The sheet port's contract (decisions D12), run against the sandbox CSV sheet (a temp folder) and the Google
 * Sheets adapter (the REAL @googleapis/sheets client over the local fake), then the Google-only behaviour: the
 * campaign's own spreadsheet, missing spreadsheet / access denied, A1 quoting, request counts, credentials.
 *
 * A "blank row" here is an empty line in the CSV file and an empty row in the spreadsheet (the Sheets API
 * answers it as []). Rows are handed to the campaign code as strings ("$1,000", "50,000", "2.5%"); parsing
 * them is acceptInfluencer's job, checked at the end of the parsing case.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OAuth2Client } from 'google-auth-library';
import { acceptInfluencer, campaignSchema, definitionOf, termsOf } from '../../services/campaigns.ts';
import { createCsvSheet } from '../../services/sheets/csv.ts';
import {
  createGoogleSheet,
  createSheetsAuth,
  createSheetsClient,
  quoteTab,
  SHEETS_SCOPES,
  spreadsheetIdOf,
} from '../../services/sheets/google.ts';
import { SheetError, type SheetsPort } from '../../services/sheets/port.ts';
import { type FakeGoogleAuth, JWT_BEARER_GRANT, startFakeGoogleAuth } from '../support/fake-google-auth.ts';
import { type FakeSheets, startFakeSheets } from '../support/fake-sheets.ts';

const MASTER = 'Sheet1';
const SPREADSHEET = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-master';
const HEADER = ['Name', 'Email', 'Platform', 'Handle', 'Average Views', 'Engagement Rate', 'Min Rate', 'Max Rate'];

interface Harness {
  sheets: SheetsPort;
  /** A tab of the (master) spreadsheet; [] is a blank row. */
  write(tab: string, rows: string[][]): void;
  close(): Promise<void>;
}

function csvLine(row: string[]): string {
  return row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',');
}

function googleClient(fake: FakeSheets) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token' });
  return createSheetsClient({ auth, rootUrl: fake.rootUrl });
}

const harnesses: Record<string, () => Promise<Harness>> = {
  csv: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sheets-conformance-'));
    return {
      sheets: createCsvSheet(dir, MASTER),
      write(tab, rows) {
        writeFileSync(join(dir, `${tab}.csv`), rows.map(csvLine).join('\n') + (rows.length ? '\n' : ''));
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  google: async () => {
    const fake = await startFakeSheets();
    fake.setSpreadsheet(SPREADSHEET, {});
    return {
      sheets: createGoogleSheet({ sheets: googleClient(fake), spreadsheetId: SPREADSHEET, masterTab: MASTER }),
      write(tab, rows) {
        fake.setTab(SPREADSHEET, tab, rows);
      },
      close: () => fake.close(),
    };
  },
};

const terms = () =>
  termsOf(
    definitionOf(
      campaignSchema.parse({
        id: 'glow-q1',
        client: 'Glow Skincare',
        platform: 'instagram',
        deliverables: '1 Instagram Reel',
        cpmTarget: '25',
      }),
    ),
    'within 30 days of content going live',
  );

for (const [name, start] of Object.entries(harnesses)) {
  describe(`sheets port conformance: ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await start();
    });
    afterEach(async () => {
      await h.close();
    });

    it('reads the campaign tab matched case-insensitively and trimmed', async () => {
      h.write('Glow Q1', [HEADER, ['Maya Lopez', 'maya@gmail.com', 'instagram', '@maya', '80000', '', '', '']]);
      h.write(MASTER, [HEADER, ['Someone Else', 'else@gmail.com', 'instagram', '@else', '50000', '', '', '']]);
      const result = await h.sheets.readInfluencers('  glow q1 ', null);
      expect(result.tab).to.equal('Glow Q1');
      expect(result.rows).to.deep.equal([
        { name: 'Maya Lopez', email: 'maya@gmail.com', platform: 'instagram', handle: '@maya', averageViews: '80000' },
      ]);
    });

    it('falls back to the master tab (matched case-insensitively) when the campaign has no tab or it is missing', async () => {
      h.write('SHEET1', [HEADER, ['Someone Else', 'else@gmail.com', 'tiktok', '@else', '50000']]);
      h.write('Other Campaign', [HEADER, ['Not Me', 'not@gmail.com', 'tiktok', '@no', '1000']]);
      for (const tab of [null, 'Glow Q1']) {
        const result = await h.sheets.readInfluencers(tab, null);
        expect(result.tab, String(tab)).to.equal('SHEET1');
        expect(result.rows.map((r) => r.email)).to.deep.equal(['else@gmail.com']);
      }
    });

    it('passes "$1,000", "50,000" and "2.5%" through as strings the campaign code parses; header case and spaces, unknown columns', async () => {
      h.write(MASTER, [
        [
          ' NAME',
          'email ',
          'Platform',
          ' average VIEWS ',
          'Engagement Rate',
          'MIN RATE',
          'Max Rate',
          'Notes',
          'Agency',
        ],
        ['Maya Lopez', ' Maya@Gmail.com ', ' Instagram ', '50,000', '2.5%', '$1,000', '$1,500.50', 'met at VidCon', ''],
      ]);
      const { rows } = await h.sheets.readInfluencers(null, null);
      expect(rows).to.deep.equal([
        {
          name: 'Maya Lopez',
          email: 'Maya@Gmail.com',
          platform: 'Instagram',
          averageViews: '50,000',
          engagementRate: '2.5%',
          minRate: '$1,000',
          maxRate: '$1,500.50',
        },
      ]);
      const accepted = acceptInfluencer(rows[0], terms());
      if (!('influencer' in accepted)) throw new Error(`row skipped: ${accepted.reason}`);
      expect(accepted.influencer).to.include({
        email: 'maya@gmail.com',
        platform: 'instagram',
        averageViews: 50000,
        engagementRate: '2.5',
      });
      expect(accepted.openingCents).to.equal(125000); // 50,000 views at $25 CPM
    });

    it('skips blank rows and reads short and long rows by position', async () => {
      h.write(MASTER, [
        HEADER,
        [],
        ['Ana', 'ana@gmail.com', 'instagram', '@ana', '40000', '3%', '500', '900'],
        ['Short Row', 'short@gmail.com'],
        [],
        [],
        ['Long Row', 'long@gmail.com', 'youtube', '@long', '60000', '', '', '', 'extra', 'cells'],
        [],
      ]);
      const { rows } = await h.sheets.readInfluencers(null, null);
      expect(rows).to.deep.equal([
        {
          name: 'Ana',
          email: 'ana@gmail.com',
          platform: 'instagram',
          handle: '@ana',
          averageViews: '40000',
          engagementRate: '3%',
          minRate: '500',
          maxRate: '900',
        },
        { name: 'Short Row', email: 'short@gmail.com' },
        { name: 'Long Row', email: 'long@gmail.com', platform: 'youtube', handle: '@long', averageViews: '60000' },
      ]);
    });

    it('reads a tab with only a header, or nothing at all, as no rows', async () => {
      h.write(MASTER, [HEADER]);
      h.write('Empty', []);
      expect(await h.sheets.readInfluencers(null, null)).to.deep.equal({ tab: MASTER, rows: [] });
      expect(await h.sheets.readInfluencers('empty', null)).to.deep.equal({ tab: 'Empty', rows: [] });
    });

    it('refuses with a SheetError naming the tab and the master tab when neither exists', async () => {
      h.write('Other Campaign', [HEADER]);
      const error = await h.sheets.readInfluencers('Glow Q1', null).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(SheetError);
      expect((error as Error).message)
        .to.contain('"Glow Q1"')
        .and.contain(`"${MASTER}"`)
        .and.contain('Other Campaign');
    });
  });
}

describe('Google Sheets adapter', () => {
  let fake: FakeSheets;
  let sheets: SheetsPort;
  beforeEach(async () => {
    fake = await startFakeSheets();
    fake.setSpreadsheet(SPREADSHEET, {
      [MASTER]: [HEADER, ['Master Row', 'master@gmail.com', 'instagram', '@m', '10000']],
    });
    sheets = createGoogleSheet({
      sheets: googleClient(fake),
      spreadsheetId: SPREADSHEET,
      masterTab: MASTER,
      serviceAccountEmail: 'sheets-reader@agency.iam.gserviceaccount.com',
    });
  });
  afterEach(() => fake.close());

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a SheetError');
      },
      (e: unknown) => {
        expect(e).to.be.instanceOf(SheetError);
        return (e as Error).message;
      },
    );

  it('reads the campaign spreadsheet (id or URL) instead of the master one, with its own tabs and master fallback', async () => {
    const own = '1OwnSpreadsheetForGlow_0123456789abcdefghij';
    fake.setSpreadsheet(own, {
      'Glow Q1': [HEADER, ['Own Row', 'own@gmail.com', 'tiktok', '@own', '20000']],
      Sheet1: [HEADER, ['Own Master', 'ownmaster@gmail.com', 'tiktok', '@om', '20000']],
    });
    const byId = await sheets.readInfluencers('glow q1', own);
    expect(byId.rows.map((r) => r.email)).to.deep.equal(['own@gmail.com']);
    const byUrl = await sheets.readInfluencers('Nope', `https://docs.google.com/spreadsheets/d/${own}/edit#gid=0`);
    expect(byUrl).to.deep.include({ tab: 'Sheet1' });
    expect(byUrl.rows.map((r) => r.email)).to.deep.equal(['ownmaster@gmail.com']);
    expect(fake.count('values.get', own)).to.equal(2);
    expect(fake.count(undefined, SPREADSHEET)).to.equal(0);
    // A blank override means the master spreadsheet.
    expect((await sheets.readInfluencers(null, '  ')).rows.map((r) => r.email)).to.deep.equal(['master@gmail.com']);
  });

  it('says clearly when the spreadsheet does not exist or is not shared with the service account', async () => {
    expect(await failure(sheets.readInfluencers(null, 'missing-spreadsheet'))).to.match(
      /spreadsheet missing-spreadsheet not found/,
    );
    fake.deny(SPREADSHEET);
    const denied = await failure(sheets.readInfluencers('Glow Q1', null));
    expect(denied).to.contain(`spreadsheet ${SPREADSHEET}`).and.contain('access denied');
    expect(denied).to.contain('sheets-reader@agency.iam.gserviceaccount.com');
    expect(denied).not.to.contain('test-token');
  });

  it('turns a tab that vanishes between the two calls, and other API failures, into SheetErrors', async () => {
    fake.failNext(1, 400, { route: 'values.get' });
    expect(await failure(sheets.readInfluencers(null, null))).to.contain('rejected');
    fake.failNext(1, 401);
    expect(await failure(sheets.readInfluencers(null, null))).to.contain('refused the credentials');
    expect((await sheets.readInfluencers(null, null)).rows).to.have.length(1);
  });

  it('quotes tab names in A1 notation (spaces, quotes, "!")', async () => {
    const title = "Acme's Q2 / 2025!";
    fake.setTab(SPREADSHEET, title, [HEADER, ['Quoted', 'q@gmail.com', 'instagram', '@q', '1000']]);
    const result = await sheets.readInfluencers("  acme's q2 / 2025! ", null);
    expect(result.tab).to.equal(title);
    expect(result.rows.map((r) => r.email)).to.deep.equal(['q@gmail.com']);
    expect(fake.requests.at(-1)).to.include({ route: 'values.get', range: quoteTab(title) });
    expect(quoteTab(title)).to.equal("'Acme''s Q2 / 2025!'");
  });

  it('costs one tab-title read and one values read per call, with the bearer token, titles only', async () => {
    await sheets.readInfluencers(null, null);
    await sheets.readInfluencers('Glow Q1', null);
    expect(fake.count('spreadsheets.get')).to.equal(2);
    expect(fake.count('values.get')).to.equal(2);
    expect(fake.requests.every((r) => r.token === 'test-token' && r.status === 200)).to.equal(true);
    expect(fake.requests[0].fields).to.equal('sheets.properties.title');
  });

  it('extracts spreadsheet ids from Sheets URLs', () => {
    expect(spreadsheetIdOf(' https://docs.google.com/spreadsheets/d/abc-DEF_123/edit?gid=0#gid=0 ')).to.equal(
      'abc-DEF_123',
    );
    expect(spreadsheetIdOf(' abc-DEF_123 ')).to.equal('abc-DEF_123');
  });

  describe('service-account credentials', () => {
    let auth: FakeGoogleAuth;
    let dir: string;
    beforeEach(async () => {
      auth = await startFakeGoogleAuth();
      dir = mkdtempSync(join(tmpdir(), 'sheets-auth-'));
    });
    afterEach(async () => {
      await auth.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const keyFile = (content: unknown) => {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `key-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    };

    it('gets a read-only token with the key file and sends it to Sheets', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const path = keyFile({
        type: 'service_account',
        client_email: 'sheets-reader@agency.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        private_key_id: 'k1',
      });
      const client = createSheetsClient({
        auth: createSheetsAuth({ serviceAccountPath: path, tokenUrl: auth.tokenUrl }),
        rootUrl: fake.rootUrl,
      });
      const port = createGoogleSheet({ sheets: client, spreadsheetId: SPREADSHEET, masterTab: MASTER });
      expect((await port.readInfluencers(null, null)).rows).to.have.length(1);
      expect(auth.tokenRequests).to.have.length(1);
      const [token] = auth.tokenRequests;
      expect(token.grantType).to.equal(JWT_BEARER_GRANT);
      expect(token.assertion?.claims).to.include({
        iss: 'sheets-reader@agency.iam.gserviceaccount.com',
        scope: SHEETS_SCOPES.join(' '),
      });
      expect(fake.requests.map((r) => r.token)).to.deep.equal([token.accessToken, token.accessToken]);
    });

    it('names the key file and the problem, never its content', () => {
      const bad = (content: unknown) => {
        try {
          createSheetsAuth({ serviceAccountPath: keyFile(content) });
        } catch (error) {
          expect(error).to.be.instanceOf(SheetError);
          return (error as Error).message;
        }
        throw new Error('expected a SheetError');
      };
      expect(bad('{"private_key": "-----BEGIN secret')).to.contain('not valid JSON').and.not.contain('secret');
      expect(bad({ type: 'authorized_user' })).to.contain('expected "service_account"');
      expect(bad({ type: 'service_account', client_email: 'a@b.c' })).to.contain('missing private_key');
      expect(bad({ type: 'service_account', client_email: 'a@b.c', private_key: 'nope' })).to.contain(
        'not a valid PEM',
      );
      expect(() => createSheetsAuth({ serviceAccountPath: join(dir, 'none.json') })).to.throw(
        SheetError,
        /file not found/,
      );
    });
  });
});
