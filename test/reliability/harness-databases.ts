/**
 * Reading the service's two databases (read-only, from the test process) for the reliability harness.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

// ---------------------------------------------------------------------------------------------------------------
// Reading the two databases (read-only, from this process).

export function read<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface SettleState {
  negotiations: number;
  busy: number;
  pendingInbox: number;
  due: number;
  taken: number;
  parked: number;
  deadLetters: number;
}

export function settleState(dataDir: string, postedIds: string[]): SettleState {
  const offset = read(join(dataDir, 'sandbox.db'), (db) => {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'").get() as
      | { value: string }
      | undefined;
    return Number(row?.value ?? 0);
  });
  return read(join(dataDir, 'agent.db'), (db) => {
    const n = (sql: string, ...args: unknown[]) =>
      (db
        .prepare(sql)
        .pluck()
        .get(...args) as number) ?? 0;
    let taken = 0;
    const takenOne = db.prepare('SELECT COUNT(*) FROM inbox WHERE message_id = ? AND taken_at IS NOT NULL').pluck();
    for (const id of postedIds) taken += takenOne.get(id) as number;
    return {
      negotiations: n('SELECT COUNT(*) FROM negotiations'),
      busy: n('SELECT COUNT(*) FROM negotiations WHERE busy = 1 AND failure IS NULL'),
      pendingInbox: n('SELECT COUNT(*) FROM inbox WHERE taken_at IS NULL AND failed IS NULL'),
      due: n(
        'SELECT COUNT(*) FROM negotiations WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= ? AND failure IS NULL',
        Date.now() + offset,
      ),
      taken,
      parked: n('SELECT COUNT(*) FROM negotiations WHERE failure IS NOT NULL'),
      deadLetters: n('SELECT COUNT(*) FROM inbox WHERE failed IS NOT NULL'),
    };
  });
}

export function clockOffset(dataDir: string): number {
  return read(join(dataDir, 'sandbox.db'), (db) => {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'").get() as
      | { value: string }
      | undefined;
    return Number(row?.value ?? 0);
  });
}
