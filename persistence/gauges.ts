/** The figures /metrics reads from the database at scrape time (server/observability/metrics.ts): one indexed query each. */
import type { Db } from './db.ts';

export function createGauges(db: Db) {
  const byState = db.prepare('SELECT state, COUNT(*) AS n FROM negotiations GROUP BY state');
  const pendingInbox = db.prepare('SELECT COUNT(*) FROM inbox WHERE taken_at IS NULL AND failed IS NULL').pluck();
  const oldestPending = db
    .prepare('SELECT MIN(stored_at) FROM inbox WHERE taken_at IS NULL AND failed IS NULL')
    .pluck();
  const parked = db.prepare('SELECT COUNT(*) FROM negotiations WHERE failure IS NOT NULL').pluck();
  // The latest escalation entry of each escalated negotiation (both lookups are indexed).
  const oldestEscalation = db
    .prepare(
      `SELECT MIN((SELECT at FROM timeline t WHERE t.negotiation_id = n.id AND t.type = 'escalation'
                   ORDER BY t.id DESC LIMIT 1))
       FROM negotiations n WHERE n.state = 'escalated'`,
    )
    .pluck();
  return {
    byState: () => byState.all() as { state: string; n: number }[],
    pendingInbox: () => pendingInbox.get() as number,
    oldestPendingAt: () => oldestPending.get() as string | null,
    parked: () => parked.get() as number,
    oldestEscalationAt: () => oldestEscalation.get() as string | null,
  };
}
