/**
 * The sheet monitor (domain.md §6.3, decisions D12): alerts for removed rows and alerts not yet sent, sheet errors,
 * polling on a timer, logging, and the SQLite snapshot store. Fixtures: sheet-monitor-fixtures.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { OAuth2Client } from 'google-auth-library';
import { createSettings } from '../../persistence/settings.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { createSheetMonitor, type MonitoredCampaign, type MonitorLogger } from '../../services/sheet-monitor.ts';
import { memorySnapshotStore, SNAPSHOT_KEY_PREFIX, settingsSnapshotStore } from '../../services/sheet-snapshots.ts';
import { createGoogleSheet, createSheetsClient } from '../../services/sheets/google.ts';
import { startFakeSheets } from '../support/fake-sheets.ts';
import {
  GLOW,
  MASTER,
  ben,
  captureLogger,
  charlie,
  fakeServer,
  maya,
  memorySheet,
  setup,
} from './sheet-monitor-fixtures.ts';

describe('sheet monitor', () => {
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
