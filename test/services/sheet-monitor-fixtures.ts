/**
 * Fixtures of the sheet monitor tests: influencer rows, an in-memory sheet, a fake Sheets server, a capturing
 * logger, and a monitor wired to them with a stand-in startRows.
 */
import type { InfluencerRow } from '../../services/campaigns.ts';
import {
  createSheetMonitor,
  type MonitoredCampaign,
  type MonitorLogger,
  type StartOutcome,
} from '../../services/sheet-monitor.ts';
import type { RowChange } from '../../services/sheet-rows.ts';
import { memorySnapshotStore, type SnapshotStore } from '../../services/sheet-snapshots.ts';
import { SheetError, type SheetsPort } from '../../services/sheets/port.ts';

export const MASTER = 'Sheet1';

export const maya = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
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
export const ben = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
  name: 'Ben Ortiz',
  email: 'ben@gmail.com',
  platform: 'tiktok',
  averageViews: '80000',
  ...extra,
});
export const charlie = (extra: Partial<InfluencerRow> = {}): InfluencerRow => ({
  name: 'Charlie Kim',
  email: 'charlie@gmail.com',
  platform: 'youtube',
  averageViews: '120,000',
  ...extra,
});

/** Tabs in memory, matched like the real adapters (case-insensitive, master fallback); tabs can be broken. */
export function memorySheet() {
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
export function fakeServer() {
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

export function captureLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const logger: MonitorLogger = {
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
  };
  return { logger, lines };
}

export const GLOW: MonitoredCampaign = { id: 'glow-q1', sheetTab: 'Glow Q1', sheetId: null };

export function setup(opts: { campaigns?: MonitoredCampaign[]; snapshots?: SnapshotStore; sheets?: SheetsPort } = {}) {
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
