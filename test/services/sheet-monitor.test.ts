/**
 * The sheet monitor (domain.md §6.3 with the decisions D12 fixes: P12 no false alarm on the first poll, P13
 * failed outreach retried, rows matched by email then name). startRows is played by a stand-in with the
 * server's guarantee: one negotiation per (campaign, email), a row already negotiating is reported started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { OAuth2Client } from 'google-auth-library';
import { createSettings } from '../../persistence/settings.ts';
import { createLogger } from '../../server/logger.ts';
import type { InfluencerRow } from '../../services/campaigns.ts';
import {
  createSheetMonitor,
  type MonitoredCampaign,
  type MonitorLogger,
  memorySnapshotStore,
  type RowChange,
  SNAPSHOT_KEY_PREFIX,
  type SnapshotStore,
  type StartOutcome,
  settingsSnapshotStore,
} from '../../services/sheet-monitor.ts';
import { createGoogleSheet, createSheetsClient } from '../../services/sheets/google.ts';
import { SheetError, type SheetsPort } from '../../services/sheets/port.ts';
import { startFakeSheets } from '../support/fake-sheets.ts';

const MASTER = 'Sheet1';

const maya = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
  name: 'Maya Lopez',
  email: 'maya@gmail.com',
  platform: 'instagram',
  handle: '@maya',
  averageViews: '50,000',
  engagementRate: '2.5%',
  minRate: '$1,000',
  maxRate: '$1,500',
  ...extra,
});
const ben = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
  name: 'Ben Ortiz',
  email: 'ben@gmail.com',
  platform: 'tiktok',
  averageViews: '80000',
  ...extra,
});
const charlie = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
  name: 'Charlie Kim',
  email: 'charlie@gmail.com',
  platform: 'youtube',
  averageViews: '120,000',
  ...extra,
});

/** Tabs in memory, matched like the real adapters (case-insensitive, master fallback); tabs can be broken. */
function memorySheet() {
  const tabs = new Map<string, InfluencerRow[]>();
  const broken = new Set<string>();
  let reads = 0;
  const find = (tab: string) => [...tabs.keys()].find((t) => t.toLowerCase() === tab.trim().toLowerCase());
  const port: SheetsPort = {
    async readInfluencers(tab) {
      reads++;
      const name = (tab && find(tab)) ?? find(MASTER);
      if (!name) throw new SheetError(`sheet tab "${tab}" not found`);
      if (broken.has(name)) throw new SheetError(`tab ${name} is broken`);
      return { tab: name, rows: structuredClone(tabs.get(name) ?? []) };
    },
  };
  return {
    port,
    set: (tab: string, rows: InfluencerRow[]) => tabs.set(tab, structuredClone(rows)),
    remove: (tab: string) => tabs.delete(tab),
    broken,
    get reads() {
      return reads;
    },
  };
}

/** The server side: one negotiation per (campaign, email); `outreach` lists the first emails actually sent. */
function fakeServer() {
  const negotiations = new Map<string, Set<string>>();
  const outreach: string[] = [];
  const calls: { campaignId: string; rows: InfluencerRow[] }[] = [];
  const alerts: { campaignId: string; changes: RowChange[] }[] = [];
  const failing = new Set<string>();
  let startThrows: Error | null = null;
  let alertThrows: Error | null = null;
  return {
    outreach,
    calls,
    alerts,
    failing,
    throwOnStart(error: Error | null) {
      startThrows = error;
    },
    throwOnAlert(error: Error | null) {
      alertThrows = error;
    },
    async startRows(campaignId: string, rows: InfluencerRow[]): Promise<StartOutcome> {
      calls.push({ campaignId, rows: structuredClone(rows) });
      if (startThrows) throw startThrows;
      const existing = negotiations.get(campaignId) ?? new Set<string>();
      negotiations.set(campaignId, existing);
      const outcome: StartOutcome = { started: [], failed: [] };
      for (const row of rows) {
        const email = row.email?.trim().toLowerCase() ?? '';
        if (!email) outcome.failed.push({ email: '', reason: 'no email address' });
        else if (existing.has(email)) outcome.started.push(email);
        else if (failing.has(email)) outcome.failed.push({ email, reason: 'Gmail send failed: 503' });
        else {
          existing.add(email);
          outreach.push(`${campaignId}:${email}`);
          outcome.started.push(email);
        }
      }
      return outcome;
    },
    async alert(campaignId: string, changes: RowChange[]) {
      if (alertThrows) throw alertThrows;
      alerts.push({ campaignId, changes: structuredClone(changes) });
    },
  };
}

function captureLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const logger: MonitorLogger = {
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
  };
  return { logger, lines };
}

const GLOW: MonitoredCampaign = { id: 'glow-q1', sheetTab: 'Glow Q1', sheetId: null };

function setup(opts: { campaigns?: MonitoredCampaign[]; snapshots?: SnapshotStore; sheets?: SheetsPort } = {}) {
  const sheet = memorySheet();
  const server = fakeServer();
  const log = captureLogger();
  const snapshots = opts.snapshots ?? memorySnapshotStore();
  const campaigns = opts.campaigns ?? [GLOW];
  const monitor = createSheetMonitor({
    sheets: opts.sheets ?? sheet.port,
    campaigns: () => campaigns,
    snapshots,
    startRows: server.startRows,
    alert: server.alert,
    logger: log.logger,
    now: () => '2025-01-01T00:00:00.000Z',
  });
  /** What the campaign intake does with the rows it read. */
  const ingest = async (campaignId = GLOW.id, tab = 'Glow Q1') => {
    const read = await sheet.port.readInfluencers(tab, null);
    return { read, outcome: await server.startRows(campaignId, read.rows) };
  };
  return { sheet, server, monitor, snapshots, log, ingest };
}

describe('sheet monitor', () => {
  it('first poll after ingestion: no "modified" alert and nobody emailed twice (P12)', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.ingest();
    expect(t.server.outreach).to.deep.equal(['glow-q1:maya@gmail.com', 'glow-q1:ben@gmail.com']);

    const [poll] = await t.monitor.pollOnce();
    expect(t.server.alerts).to.deep.equal([]);
    expect(poll).to.deep.include({ campaignId: 'glow-q1', tab: 'Glow Q1', changes: [], error: null, failed: [] });
    expect(t.server.outreach).to.have.length(2); // startRows saw both rows again; both already negotiating
    const snapshot = t.snapshots.get('glow-q1');
    expect(snapshot?.tab).to.equal('Glow Q1');
    expect(snapshot?.rows.map((r) => [r.email, r.failed])).to.deep.equal([
      ['maya@gmail.com', null],
      ['ben@gmail.com', null],
    ]);
  });

  it('an unchanged second poll sends nothing, cosmetic edits included', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    const calls = t.server.calls.length;
    t.sheet.set('Glow Q1', [
      maya({
        name: ' maya  LOPEZ ',
        email: 'Maya@Gmail.com ',
        platform: 'Instagram',
        handle: 'Maya',
        averageViews: '50000',
        engagementRate: '2.50 %',
        minRate: '1000.00',
        maxRate: '1,500',
      }),
      ben({ averageViews: '80K' }),
      {}, // a blank row
    ]);
    const [poll] = await t.monitor.pollOnce();
    expect(poll).to.deep.include({ attempted: 0, changes: [], error: null });
    expect(t.server.calls).to.have.length(calls);
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('a really changed row sends exactly one alert listing the changes, once', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya({ averageViews: '75,000', maxRate: '$1,800' }), ben({ platform: 'instagram' })]);
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.deep.equal([
      {
        campaignId: 'glow-q1',
        changes: [
          {
            kind: 'modified',
            name: 'Maya Lopez',
            email: 'maya@gmail.com',
            fields: [
              { field: 'averageViews', before: '50,000', after: '75,000' },
              { field: 'maxRate', before: '$1,500', after: '$1,800' },
            ],
          },
          {
            kind: 'modified',
            name: 'Ben Ortiz',
            email: 'ben@gmail.com',
            fields: [{ field: 'platform', before: 'tiktok', after: 'instagram' }],
          },
        ],
      },
    ]);
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.have.length(1);
    expect(t.server.outreach).to.have.length(2);
  });

  it('matches rows by email, then by name: a corrected email is a change of that row, not a new influencer', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [ben({ name: 'Benjamin Ortiz' }), maya({ email: 'maya.lopez@gmail.com' })]);
    const [poll] = await t.monitor.pollOnce();
    expect(poll.attempted).to.equal(0);
    expect(t.server.alerts[0].changes).to.deep.equal([
      {
        kind: 'modified',
        name: 'Benjamin Ortiz',
        email: 'ben@gmail.com',
        fields: [{ field: 'name', before: 'Ben Ortiz', after: 'Benjamin Ortiz' }],
      },
      {
        kind: 'modified',
        name: 'Maya Lopez',
        email: 'maya.lopez@gmail.com',
        fields: [{ field: 'email', before: 'maya@gmail.com', after: 'maya.lopez@gmail.com' }],
      },
    ]);
    expect(t.server.outreach).to.have.length(2);
  });

  it('a new row starts a negotiation (only that row), without any alert', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya(), ben(), charlie()]);
    const [poll] = await t.monitor.pollOnce();
    expect(t.server.calls.at(-1)).to.deep.equal({ campaignId: 'glow-q1', rows: [charlie()] });
    expect(poll).to.deep.include({ attempted: 1, started: ['charlie@gmail.com'], changes: [] });
    expect(t.server.outreach.at(-1)).to.equal('glow-q1:charlie@gmail.com');
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('a row whose outreach failed is retried next poll, until it starts (P13)', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    await t.monitor.pollOnce();
    t.server.failing.add('charlie@gmail.com');
    t.sheet.set('Glow Q1', [maya(), charlie(), { name: 'No Email Yet', platform: 'instagram', averageViews: '9000' }]);
    const [first] = await t.monitor.pollOnce();
    expect(first.failed).to.deep.equal([
      { email: 'charlie@gmail.com', name: 'Charlie Kim', reason: 'Gmail send failed: 503' },
      { email: null, name: 'No Email Yet', reason: 'no email address' },
    ]);
    expect(t.snapshots.get('glow-q1')?.rows.map((r) => r.failed)).to.deep.equal([
      null,
      'Gmail send failed: 503',
      'no email address',
    ]);

    // Same rows, nothing edited: both are tried again.
    const [second] = await t.monitor.pollOnce();
    expect(t.server.calls.at(-1)?.rows.map((r) => r.name)).to.deep.equal(['Charlie Kim', 'No Email Yet']);
    expect(second.failed).to.have.length(2);

    // Gmail is back and the team filled in the email: both start; an edit of a failed row is no "modification".
    t.server.failing.clear();
    t.sheet.set('Glow Q1', [
      maya(),
      charlie(),
      { name: 'No Email Yet', email: 'late@gmail.com', platform: 'instagram', averageViews: '9000' },
    ]);
    const [third] = await t.monitor.pollOnce();
    expect(third).to.deep.include({ started: ['charlie@gmail.com', 'late@gmail.com'], failed: [], changes: [] });
    expect(t.server.outreach).to.deep.equal([
      'glow-q1:maya@gmail.com',
      'glow-q1:charlie@gmail.com',
      'glow-q1:late@gmail.com',
    ]);
    const calls = t.server.calls.length;
    await t.monitor.pollOnce();
    expect(t.server.calls).to.have.length(calls);
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('when startRows throws, the rows are failed and tried again next poll', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    t.server.throwOnStart(new Error('database is locked'));
    const [poll] = await t.monitor.pollOnce();
    expect(poll.failed).to.deep.equal([
      { email: 'maya@gmail.com', name: 'Maya Lopez', reason: 'not started: database is locked' },
    ]);
    t.server.throwOnStart(null);
    await t.monitor.pollOnce();
    expect(t.server.outreach).to.deep.equal(['glow-q1:maya@gmail.com']);
  });

  it('a started row that disappears is alerted once; a failed one silently forgotten', async () => {
    const t = setup();
    t.server.failing.add('charlie@gmail.com');
    t.sheet.set('Glow Q1', [maya(), ben(), charlie()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya()]);
    await t.monitor.pollOnce();
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.deep.equal([
      { campaignId: 'glow-q1', changes: [{ kind: 'removed', name: 'Ben Ortiz', email: 'ben@gmail.com', fields: [] }] },
    ]);
  });

  it('an alert that could not be sent is sent on the next poll', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya({ averageViews: '75,000' })]);
    t.server.throwOnAlert(new Error('slack down'));
    await t.monitor.pollOnce();
    expect(t.log.lines.some((l) => l.level === 'error' && l.message.includes('alert not sent'))).to.equal(true);
    t.server.throwOnAlert(null);
    await t.monitor.pollOnce();
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.have.length(1);
    expect(t.server.alerts[0].changes[0].fields).to.deep.equal([
      { field: 'averageViews', before: '50,000', after: '75,000' },
    ]);
  });

  it('a sheet error on one campaign does not stop the others; master-tab campaigns are monitored too', async () => {
    const fake = await startFakeSheets();
    try {
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: 'test-token' });
      const sheets = createGoogleSheet({
        sheets: createSheetsClient({ auth, rootUrl: fake.rootUrl }),
        spreadsheetId: 'master-sheet',
        masterTab: MASTER,
      });
      const header = ['Name', 'Email', 'Platform', 'Average Views'];
      fake.setSpreadsheet('master-sheet', {
        Sheet1: [header, ['Maya Lopez', 'maya@gmail.com', 'instagram', '50,000']],
        'Glow Q1': [header, ['Ben Ortiz', 'ben@gmail.com', 'tiktok', '80000']],
      });
      fake.setSpreadsheet('acme-private', { Sheet1: [header, ['Charlie Kim', 'charlie@gmail.com', 'youtube', '1']] });
      fake.deny('acme-private');
      const campaigns: MonitoredCampaign[] = [
        { id: 'acme', sheetTab: null, sheetId: 'acme-private' },
        { id: 'glow-q1', sheetTab: 'glow q1', sheetId: null },
        { id: 'master-a', sheetTab: null, sheetId: null },
        { id: 'master-b', sheetTab: null, sheetId: null },
      ];
      const t = setup({ sheets, campaigns });
      const polls = await t.monitor.pollOnce();
      expect(polls.map((p) => [p.campaignId, p.tab, p.started])).to.deep.equal([
        ['acme', null, []],
        ['glow-q1', 'Glow Q1', ['ben@gmail.com']],
        ['master-a', 'Sheet1', ['maya@gmail.com']],
        ['master-b', 'Sheet1', ['maya@gmail.com']],
      ]);
      expect(polls[0].error).to.contain('access denied');
      expect(t.log.lines.filter((l) => l.level === 'error').map((l) => l.meta?.campaignId)).to.deep.equal(['acme']);
      // The two campaigns on the master tab shared one read of it.
      expect(fake.count('values.get')).to.equal(2);

      // The campaign's tab disappears: the master tab answers, but its rows are not this campaign's to start.
      fake.removeTab('master-sheet', 'Glow Q1');
      fake.allow('acme-private');
      const again = await t.monitor.pollOnce();
      expect(again[1].error).to.contain('the sheet tab changed from "Glow Q1" to "Sheet1"');
      expect(again[0]).to.deep.include({ error: null, started: ['charlie@gmail.com'] });
      expect(t.server.outreach.filter((o) => o.startsWith('glow-q1:'))).to.deep.equal(['glow-q1:ben@gmail.com']);
    } finally {
      await fake.close();
    }
  });

  it('recordIngestion seeds the snapshot: the first poll has nothing to start, failed rows are retried', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben(), { name: 'No Email Yet' }]);
    t.server.failing.add('ben@gmail.com');
    const { read, outcome } = await t.ingest();
    t.monitor.recordIngestion('glow-q1', read, outcome);
    t.monitor.recordIngestion('glow-q1', { tab: 'Glow Q1', rows: [] }, { started: [], failed: [] }); // no-op
    t.server.failing.clear();
    const calls = t.server.calls.length;
    const [poll] = await t.monitor.pollOnce();
    expect(t.server.calls.slice(calls).map((c) => c.rows.map((r) => r.name))).to.deep.equal([
      ['Ben Ortiz', 'No Email Yet'],
    ]);
    expect(poll).to.deep.include({ started: ['ben@gmail.com'], changes: [] });
  });

  it('a poll in flight is shared, and start/stop poll on a timer', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    const [a, b] = await Promise.all([t.monitor.pollOnce(), t.monitor.pollOnce()]);
    expect(a).to.equal(b);
    expect(t.sheet.reads).to.equal(1);
    t.monitor.start(20);
    await new Promise((r) => setTimeout(r, 90));
    await t.monitor.stop();
    const reads = t.sheet.reads;
    expect(reads).to.be.greaterThan(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(t.sheet.reads).to.equal(reads);
  });

  it('a campaign list that throws is logged, and a winston logger fits', async () => {
    const winston: MonitorLogger = createLogger('error', true);
    const log = captureLogger();
    const monitor = createSheetMonitor({
      sheets: memorySheet().port,
      campaigns: () => {
        throw new Error('db closed');
      },
      snapshots: memorySnapshotStore(),
      startRows: async () => ({ started: [], failed: [] }),
      alert: async () => {},
      logger: log.logger,
    });
    expect(await monitor.pollOnce()).to.deep.equal([]);
    expect(log.lines[0]).to.deep.include({ level: 'error', message: 'sheet monitor: cannot list campaigns' });
    expect(winston).to.have.property('error');
  });

  describe('SQLite snapshot store', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sheet-monitor-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const open = () => {
      const db = new Database(join(dir, 'agent.db'));
      db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      return db;
    };

    it('keeps the snapshot across a restart: no repeat outreach, no false alarm, real changes still alerted', async () => {
      const sheet = memorySheet();
      sheet.set('Glow Q1', [maya(), ben()]);
      const server = fakeServer();
      server.failing.add('ben@gmail.com');
      const monitorOn = (db: Database.Database) =>
        createSheetMonitor({
          sheets: sheet.port,
          campaigns: () => [GLOW],
          snapshots: settingsSnapshotStore(createSettings(db)),
          startRows: server.startRows,
          alert: server.alert,
          logger: captureLogger().logger,
        });

      let db = open();
      await monitorOn(db).pollOnce();
      db.close();

      db = open(); // "restart"
      const stored = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
      expect(stored.map((r) => r.key)).to.deep.equal([`${SNAPSHOT_KEY_PREFIX}glow-q1`]);
      expect(JSON.parse(stored[0].value).rows.map((r: { failed: string | null }) => r.failed)).to.deep.equal([
        null,
        'Gmail send failed: 503',
      ]);
      server.failing.clear();
      const calls = server.calls.length;
      const monitor = monitorOn(db);
      await monitor.pollOnce();
      expect(server.calls.slice(calls).map((c) => c.rows.map((r) => r.email))).to.deep.equal([['ben@gmail.com']]);
      expect(server.alerts).to.deep.equal([]);
      sheet.set('Glow Q1', [maya({ minRate: '$1,200' }), ben()]);
      await monitor.pollOnce();
      await monitor.pollOnce();
      expect(server.alerts).to.have.length(1);
      expect(server.outreach).to.deep.equal(['glow-q1:maya@gmail.com', 'glow-q1:ben@gmail.com']);
      db.close();
    });

    it('treats an unreadable snapshot as none', () => {
      const db = open();
      const store = settingsSnapshotStore(createSettings(db));
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(`${SNAPSHOT_KEY_PREFIX}a`, '{not json');
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(`${SNAPSHOT_KEY_PREFIX}b`, '{"version":9}');
      expect(store.get('a')).to.equal(null);
      expect(store.get('b')).to.equal(null);
      expect(store.get('c')).to.equal(null);
      store.set('c', { version: 1, tab: 'T', at: 'now', rows: [] });
      store.set('c', { version: 1, tab: 'T2', at: 'now', rows: [] });
      expect(store.get('c')?.tab).to.equal('T2');
      db.close();
    });
  });
});
