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
import { diff, displayName, identify, lower, match, type RowChange, sameText } from './sheet-rows.ts';
import type { SnapshotRow, SnapshotStore } from './sheet-snapshots.ts';
import type { SheetsPort } from './sheets/port.ts';

export interface MonitoredCampaign {
  id: string;
  /** The campaign's tab (null: the master tab). */
  sheetTab: string | null;
  /** The campaign's own spreadsheet (null: the master spreadsheet). */
  sheetId: string | null;
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
