/** Verified webhook deliveries (ClickUp, D12): recorded once by key, then worked through until done or refused. */
import type { Db } from './db.ts';

export type DeliveryStatus = 'pending' | 'done' | 'refused';

export function createWebhookDeliveries(db: Db, source: string) {
  const record =
    db.prepare(`INSERT OR IGNORE INTO webhook_deliveries (key, source, subject, status, received_at, updated_at)
    VALUES (?, ?, ?, 'pending', ?, ?)`);
  const pending = db.prepare(
    `SELECT key, subject FROM webhook_deliveries WHERE source = ? AND status = 'pending' ORDER BY received_at`,
  );
  const finish = db.prepare('UPDATE webhook_deliveries SET status = ?, last_error = ?, updated_at = ? WHERE key = ?');
  return {
    /** False when the key was recorded before (a re-delivery). */
    record: (key: string, subject: string, at: string) => record.run(key, source, subject, at, at).changes === 1,
    pending: () => pending.all(source) as { key: string; subject: string }[],
    mark(key: string, status: DeliveryStatus, error: string | null, at: string) {
      finish.run(status, error, at, key);
    },
  };
}
