/**
 * The `settings` table: small named values that must survive a restart (the mail cursor, the Gmail watch's
 * expiration, the sheet snapshots, the sandbox clock's offset). The one place its statements are written.
 */
import type { Database } from 'better-sqlite3';

export interface Settings {
  get(key: string): string | null;
  set(key: string, value: string): void;
  /** The keys starting with `prefix`, in order. */
  keys(prefix: string): string[];
}

/** Works on any database with a `settings (key, value)` table: the agent's and the sandbox's. */
export function createSettings(db: Database): Settings {
  const read = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const write = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const keys = db.prepare('SELECT key FROM settings WHERE key >= ? AND key < ? ORDER BY key').pluck();
  return {
    get: (key) => (read.get(key) as string | undefined) ?? null,
    set: (key, value) => {
      write.run(key, value);
    },
    keys: (prefix) => keys.all(prefix, `${prefix}\uffff`) as string[],
  };
}
