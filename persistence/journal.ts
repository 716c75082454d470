/** The effect journal (decisions D9): one row per idempotency key; a completed effect is never run again. */
import type { Db } from './db.ts';

/** Which effect a row is: its idempotency key, the negotiation it belongs to and its kind (columns of their own). */
export interface EffectRef {
  key: string;
  negotiationId: string;
  kind: string;
}

export interface JournalEntry {
  key: string;
  status: 'requested' | 'done';
  attempts: number;
  result: unknown;
}

export function createJournal(db: Db) {
  const select = db.prepare('SELECT key, status, attempts, result FROM effects WHERE key = ?');
  const begin = db.prepare(`
    INSERT INTO effects (key, negotiation_id, kind, status, attempts, created_at, updated_at)
    VALUES (@key, @negotiationId, @kind, 'requested', 1, @at, @at)
    ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1, updated_at = @at`);
  // An upsert: an effect whose request row never got written (the first snapshot of a new negotiation emits
  // no records) is still journaled when it completes, with the ids its caller names (never read out of the key).
  const complete = db.prepare(`
    INSERT INTO effects (key, negotiation_id, kind, status, attempts, result, created_at, updated_at)
    VALUES (@key, @negotiationId, @kind, 'done', 0, @result, @at, @at)
    ON CONFLICT (key) DO UPDATE SET status = 'done', result = @result, last_error = NULL, updated_at = @at`);
  const failAttempt = db.prepare('UPDATE effects SET last_error = ?, updated_at = ? WHERE key = ?');

  return {
    get(key: string): JournalEntry | undefined {
      const row = select.get(key) as (Omit<JournalEntry, 'result'> & { result: string | null }) | undefined;
      return row && { ...row, result: row.result == null ? undefined : JSON.parse(row.result) };
    },
    /** Counts an attempt BEFORE calling the outside world: attempts > 1 later means "may already have happened". */
    beginAttempt(effect: EffectRef, at: string): void {
      begin.run({ ...effect, at });
    },
    complete(effect: EffectRef, result: unknown, at: string): void {
      complete.run({ ...effect, result: JSON.stringify(result ?? null), at });
    },
    failAttempt(key: string, error: string, at: string): void {
      failAttempt.run(error, at, key);
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;
