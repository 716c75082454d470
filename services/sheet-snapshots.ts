/**
 * What the sheet monitor remembers of a campaign's rows between polls (its snapshot), and where: in memory, or as
 * a named setting kept across restarts.
 */
import type { InfluencerRow } from './campaigns.ts';

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
