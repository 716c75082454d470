/**
 * The sheet monitor (domain.md §6.3 with the decisions D12 fixes), independent of the server: every poll reads
 * each monitored campaign's rows (its tab or the master tab, its spreadsheet or the master one) and compares
 * them with the campaign's snapshot.
 * - Rows are matched by email, then by name, case-insensitively (a corrected email or a re-cased name is the
 *   same row; P13). A row with neither is ignored; a repeated email (or, without email, name) counts once.
 * - New rows are started (startRows); a row whose outreach failed stays "failed" in the snapshot and is
 *   started again on every poll until it starts (P13). startRows must be idempotent per (campaign, email):
 *   a row that already has a negotiation is reported as started, nobody is emailed twice.
 * - Without a snapshot (the first poll after ingestion) every row goes to startRows and NO change is alerted
 *   (P12); recordIngestion() lets the intake seed the snapshot instead.
 * - A started row whose values really changed (normalised: case, spacing, "50,000" = "50000", "$1,000" =
 *   "1000.00", "2.5%" = "2.5") or that disappeared is alerted once, in one alert per campaign and poll; an
 *   alert that fails is sent again next poll. Changes to failed rows are not alerted: the row is just retried.
 * - The tab read must stay the same: if a campaign's tab disappears and the master tab answers instead, the
 *   campaign is not diffed (that would start everyone on the master tab) until its tab is back.
 * - One campaign's failure (sheet unreadable, startRows or the store throwing) never stops the others.
 */
import type { InfluencerRow } from './campaigns.ts';
import { parseDecimal } from './money.ts';
import { SHEET_COLUMNS, type SheetsPort } from './sheets/port.ts';

export interface MonitoredCampaign {
  id: string;
  /** The campaign's tab (null: the master tab). */
  sheetTab: string | null;
  /** The campaign's own spreadsheet (null: the master spreadsheet). */
  sheetId: string | null;
}

export interface SnapshotRow {
  /** Lower-cased, or null when the row has none. */
  email: string | null;
  name: string | null;
  /** The row as read (what changes are compared on, normalised). */
  row: InfluencerRow;
  /** Why its outreach failed (retried next poll); null once started. */
  failed: string | null;
}

export interface Snapshot {
  version: 1;
  /** The tab the rows came from (after the case-insensitive match / master fallback). */
  tab: string;
  at: string;
  rows: SnapshotRow[];
}

export interface SnapshotStore {
  get(campaignId: string): Snapshot | null;
  set(campaignId: string, snapshot: Snapshot): void;
  /** The campaigns with a snapshot: those whose rows came from the sheet. */
  campaignIds(): string[];
}

/** One line of the Slack alert; sheet text is escaped where the message is built. */
export function describeChange(change: RowChange): string {
  const who = change.email ? `${change.name} (${change.email})` : change.name;
  if (change.kind === 'removed') return `${who}: row removed from the sheet`;
  const fields = change.fields.map((f) => `${f.field} ${f.before ?? '(empty)'} → ${f.after ?? '(empty)'}`);
  return `${who}: ${fields.join(', ')}`;
}

export interface FieldChange {
  field: keyof InfluencerRow;
  before: string | null;
  after: string | null;
}

export interface RowChange {
  kind: 'modified' | 'removed';
  name: string;
  email: string | null;
  /** modified: the fields that changed; removed: empty. */
  fields: FieldChange[];
}

export interface StartOutcome {
  /** Emails now negotiating (new, or already negotiating before). */
  started: string[];
  failed: { email: string; reason: string }[];
}

export interface CampaignPoll {
  campaignId: string;
  tab: string | null;
  /** Rows handed to startRows: new ones and failed ones retried. */
  attempted: number;
  started: string[];
  failed: { email: string | null; name: string | null; reason: string }[];
  changes: RowChange[];
  error: string | null;
}

export interface MonitorLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface SheetMonitorDeps {
  sheets: SheetsPort;
  /** Every campaign to watch, master-tab ones included (read at each poll). */
  campaigns: () => MonitoredCampaign[];
  snapshots: SnapshotStore;
  startRows(campaignId: string, rows: InfluencerRow[]): Promise<StartOutcome>;
  alert(campaignId: string, changes: RowChange[]): Promise<void>;
  logger: MonitorLogger;
  now?: () => string;
}

export function createSheetMonitor(deps: SheetMonitorDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  let running: Promise<CampaignPoll[]> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  async function pollAll(): Promise<CampaignPoll[]> {
    // Campaigns on the same tab of the same spreadsheet (the master tab, typically) share one read per poll.
    const reads = new Map<string, ReturnType<SheetsPort['readInfluencers']>>();
    const read = (c: MonitoredCampaign) => {
      const key = JSON.stringify([c.sheetId?.trim() || null, c.sheetTab?.trim().toLowerCase() || null]);
      let pending = reads.get(key);
      if (!pending) {
        pending = deps.sheets.readInfluencers(c.sheetTab, c.sheetId);
        pending.catch(() => undefined); // observed by each campaign below
        reads.set(key, pending);
      }
      return pending;
    };
    let campaigns: MonitoredCampaign[];
    try {
      campaigns = deps.campaigns();
    } catch (error) {
      deps.logger.error('sheet monitor: cannot list campaigns', { error: String(error) });
      return [];
    }
    const results: CampaignPoll[] = [];
    for (const campaign of campaigns) {
      const result = await pollCampaign(campaign, read).catch(
        (error: unknown): CampaignPoll => ({
          ...emptyPoll(campaign.id),
          error: `sheet monitor failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
      if (result.error)
        deps.logger.error('sheet monitor: campaign not checked', { campaignId: campaign.id, error: result.error });
      results.push(result);
    }
    return results;
  }

  async function pollCampaign(
    campaign: MonitoredCampaign,
    read: (c: MonitoredCampaign) => ReturnType<SheetsPort['readInfluencers']>,
  ): Promise<CampaignPoll> {
    const poll = emptyPoll(campaign.id);
    let sheet: Awaited<ReturnType<SheetsPort['readInfluencers']>>;
    try {
      sheet = await read(campaign);
    } catch (error) {
      return { ...poll, error: `sheet not read: ${error instanceof Error ? error.message : String(error)}` };
    }
    poll.tab = sheet.tab;
    const previous = deps.snapshots.get(campaign.id);
    if (previous && !sameText(previous.tab, sheet.tab)) {
      return {
        ...poll,
        error: `the sheet tab changed from "${previous.tab}" to "${sheet.tab}" (tab renamed or removed?); rows not compared until "${previous.tab}" is back`,
      };
    }

    const current = identify(sheet.rows);
    const pairs = match(current, previous?.rows ?? []);
    const next: SnapshotRow[] = [];
    const toStart: SnapshotRow[] = [];
    const changed: { row: SnapshotRow; prev: SnapshotRow }[] = [];
    for (const { row, prev } of pairs.matched) {
      if (!previous || !prev || prev.failed !== null) {
        toStart.push(row); // new, first poll, or failed before: (re)start
      } else {
        const fields = diff(prev.row, row.row);
        if (fields.length) {
          poll.changes.push({ kind: 'modified', name: displayName(row), email: row.email, fields });
          changed.push({ row, prev });
        }
      }
      next.push(row);
    }
    const removed = pairs.unmatchedPrevious.filter((p) => p.failed === null);
    for (const prev of removed)
      poll.changes.push({ kind: 'removed', name: displayName(prev), email: prev.email, fields: [] });

    if (toStart.length) {
      poll.attempted = toStart.length;
      const outcome = await deps
        .startRows(
          campaign.id,
          toStart.map((r) => r.row),
        )
        .catch((error: unknown): StartOutcome => {
          const reason = `not started: ${error instanceof Error ? error.message : String(error)}`;
          deps.logger.error('sheet monitor: starting rows failed', { campaignId: campaign.id, error: reason });
          return { started: [], failed: toStart.map((r) => ({ email: r.email ?? '', reason })) };
        });
      const startedSet = new Set(outcome.started.map(lower));
      const failedBy = new Map(outcome.failed.map((f) => [lower(f.email), f.reason]));
      for (const row of toStart) {
        const key = row.email ?? '';
        if (row.email && startedSet.has(key) && !failedBy.has(key)) {
          row.failed = null;
          poll.started.push(row.email);
        } else {
          // No email: nobody can have been contacted. No outcome: retry (startRows is idempotent).
          row.failed = failedBy.get(key) ?? (row.email ? 'no outcome reported' : 'no email address');
          poll.failed.push({ email: row.email, name: row.name, reason: row.failed });
        }
      }
    }

    let alerted = true;
    if (poll.changes.length) {
      try {
        await deps.alert(campaign.id, poll.changes);
      } catch (error) {
        alerted = false;
        deps.logger.error('sheet monitor: change alert not sent; retried next poll', {
          campaignId: campaign.id,
          error: String(error),
        });
      }
    }
    if (!alerted) {
      // Keep the old values (and removed rows) so the same changes are found, and alerted, next poll.
      for (const { row, prev } of changed) next[next.indexOf(row)] = prev;
      next.push(...removed);
    }
    deps.snapshots.set(campaign.id, { version: 1, tab: sheet.tab, at: now(), rows: next });
    if (poll.attempted || poll.changes.length) {
      deps.logger.info('sheet monitor: campaign checked', {
        campaignId: campaign.id,
        tab: sheet.tab,
        attempted: poll.attempted,
        started: poll.started.length,
        failed: poll.failed.length,
        changes: poll.changes.length,
      });
    }
    return poll;
  }

  function schedule(intervalMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      monitor.pollOnce().finally(() => schedule(intervalMs));
    }, intervalMs);
    timer.unref();
  }

  const monitor = {
    /** One pass over every campaign; concurrent calls share the pass in flight. */
    pollOnce(): Promise<CampaignPoll[]> {
      if (!running) {
        running = pollAll().finally(() => {
          running = null;
        });
      }
      return running;
    },
    /** Polls now, then every intervalMs after the previous poll ended. */
    start(intervalMs: number) {
      if (!stopped) return;
      stopped = false;
      monitor.pollOnce().finally(() => schedule(intervalMs));
    },
    /** Stops the timer and waits for a poll in flight. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    /**
     * Seeds a campaign's snapshot with the rows its ingestion read and what became of them (no-op when a
     * snapshot exists), so the first poll has nothing to start again. Rows not reported started are failed.
     */
    recordIngestion(campaignId: string, sheet: { tab: string; rows: InfluencerRow[] }, outcome: StartOutcome) {
      if (deps.snapshots.get(campaignId)) return;
      const startedSet = new Set(outcome.started.map(lower));
      const failedBy = new Map(outcome.failed.map((f) => [lower(f.email), f.reason]));
      const rows = identify(sheet.rows).map((row) => {
        const key = row.email ?? '';
        const ok = row.email !== null && startedSet.has(key) && !failedBy.has(key);
        return { ...row, failed: ok ? null : (failedBy.get(key) ?? (row.email ? 'not started' : 'no email address')) };
      });
      deps.snapshots.set(campaignId, { version: 1, tab: sheet.tab, at: now(), rows });
    },
  };
  return monitor;
}

export type SheetMonitor = ReturnType<typeof createSheetMonitor>;

const emptyPoll = (campaignId: string): CampaignPoll => ({
  campaignId,
  tab: null,
  attempted: 0,
  started: [],
  failed: [],
  changes: [],
  error: null,
});

const lower = (s: string) => s.trim().toLowerCase();
const squash = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const sameText = (a: string, b: string) => squash(a) === squash(b);
const textOf = (v: unknown): string => (v == null ? '' : String(v)).trim();
const displayName = (r: SnapshotRow) => r.name ?? r.email ?? '(unnamed row)';

/** Sheet rows with their identity; rows with neither email nor name, and repeats, are dropped. */
function identify(rows: InfluencerRow[]): SnapshotRow[] {
  const emails = new Set<string>();
  const names = new Set<string>();
  const out: SnapshotRow[] = [];
  for (const row of rows) {
    const email = lower(textOf(row.email)) || null;
    const name = textOf(row.name).replace(/\s+/g, ' ') || null;
    if (email) {
      if (emails.has(email)) continue;
      emails.add(email);
    } else if (name) {
      if (names.has(squash(name))) continue;
      names.add(squash(name));
    } else {
      continue;
    }
    out.push({ email, name, row: { ...row }, failed: null });
  }
  return out;
}

/** Current rows paired with previous ones: by email first, then by name (case- and spacing-insensitive). */
function match(current: SnapshotRow[], previous: SnapshotRow[]) {
  const used = new Set<number>();
  const prevOf = new Map<SnapshotRow, SnapshotRow>();
  for (const row of current) {
    if (!row.email) continue;
    const i = previous.findIndex((p, j) => !used.has(j) && p.email === row.email);
    if (i >= 0) {
      used.add(i);
      prevOf.set(row, previous[i]);
    }
  }
  for (const row of current) {
    if (prevOf.has(row) || !row.name) continue;
    const name = squash(row.name);
    const i = previous.findIndex((p, j) => !used.has(j) && p.name !== null && squash(p.name) === name);
    if (i >= 0) {
      used.add(i);
      prevOf.set(row, previous[i]);
    }
  }
  return {
    matched: current.map((row) => ({ row, prev: prevOf.get(row) ?? null })),
    unmatchedPrevious: previous.filter((_, j) => !used.has(j)),
  };
}

/** A number written any usual way ("50,000", "50K", "$1,000.00", "2.5 %") as exact canonical text. */
function canonicalNumber(text: string): string | null {
  let t = text.toLowerCase().replace(/[\s,$%]|usd/g, '');
  let multiplier = 1n;
  if (/[km]$/.test(t)) {
    multiplier = t.endsWith('k') ? 1000n : 1_000_000n;
    t = t.slice(0, -1);
  }
  const d = parseDecimal(t);
  if (!d) return null;
  let n = d.n * multiplier;
  let scale = d.scale;
  while (scale > 0 && n % 10n === 0n) {
    n /= 10n;
    scale--;
  }
  return scale ? `${n}e-${scale}` : String(n);
}

const NUMERIC = new Set<keyof InfluencerRow>(['averageViews', 'engagementRate', 'minRate', 'maxRate']);

/** What a cell means, for comparison: "Instagram " = "instagram", "@Maya" = "maya", "50,000" = "50000". */
function normalised(field: keyof InfluencerRow, value: unknown): string {
  const text = textOf(value);
  if (NUMERIC.has(field)) return canonicalNumber(text) ?? squash(text);
  if (field === 'handle') return squash(text).replace(/^@/, '');
  return squash(text);
}

const FIELDS = [...new Set(Object.values(SHEET_COLUMNS))];

function diff(before: InfluencerRow, after: InfluencerRow): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of FIELDS) {
    if (normalised(field, before[field]) === normalised(field, after[field])) continue;
    changes.push({ field, before: textOf(before[field]) || null, after: textOf(after[field]) || null });
  }
  return changes;
}

/** Snapshots in memory (tests, sandbox without persistence). */
export function memorySnapshotStore(): SnapshotStore & { snapshots: Map<string, Snapshot> } {
  const snapshots = new Map<string, Snapshot>();
  return {
    snapshots,
    // Copies both ways, as a real store would: the monitor's working rows never alias the stored ones.
    get: (campaignId) => {
      const s = snapshots.get(campaignId);
      return s ? structuredClone(s) : null;
    },
    set: (campaignId, snapshot) => {
      snapshots.set(campaignId, structuredClone(snapshot));
    },
    campaignIds: () => [...snapshots.keys()],
  };
}

export const SNAPSHOT_KEY_PREFIX = 'sheet.snapshot:';

/** Named values kept across restarts: persistence/settings.ts provides it (the `settings` table). */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  keys(prefix: string): string[];
}

/** Snapshots as settings (key `sheet.snapshot:<campaignId>`, JSON value): no table of their own. */
export function settingsSnapshotStore(settings: KeyValueStore): SnapshotStore {
  return {
    get(campaignId) {
      const value = settings.get(SNAPSHOT_KEY_PREFIX + campaignId);
      if (!value) return null;
      try {
        const snapshot = JSON.parse(value) as Snapshot;
        // An unreadable snapshot is as good as none: the next poll rebuilds it (startRows is idempotent).
        return snapshot?.version === 1 && typeof snapshot.tab === 'string' && Array.isArray(snapshot.rows)
          ? snapshot
          : null;
      } catch {
        return null;
      }
    },
    set(campaignId, snapshot) {
      settings.set(SNAPSHOT_KEY_PREFIX + campaignId, JSON.stringify(snapshot));
    },
    campaignIds() {
      return settings.keys(SNAPSHOT_KEY_PREFIX).map((key) => key.slice(SNAPSHOT_KEY_PREFIX.length));
    },
  };
}
