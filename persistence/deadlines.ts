/** The durable timers' reads (decisions D7): deadlines live in negotiations.next_deadline_at (server/runtime/scheduler.ts). */
import type { Db } from './db.ts';

export function createDeadlines(db: Db) {
  const due = db.prepare(`
    SELECT id, next_deadline_at AS at FROM negotiations
    WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= ? AND failure IS NULL
    ORDER BY next_deadline_at LIMIT 500`);
  const next = db.prepare(
    'SELECT MIN(next_deadline_at) AS at FROM negotiations WHERE next_deadline_at > ? AND failure IS NULL',
  );
  return {
    /** Deadlines at or before `now` (epoch ms) of negotiations not parked, oldest first. */
    due: (now: number) => due.all(now) as { id: string; at: number }[],
    /** The next deadline after `now`, or null. */
    next: (now: number) => (next.get(now) as { at: number | null }).at,
  };
}
