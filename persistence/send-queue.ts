/**
 * The send queue's rows (decisions D20). A send effect enqueues its key once (idempotent across restarts, so its
 * place and priority survive a kill -9); a row granted a slot gets sent_at BEFORE the mailbox is called, so a
 * restart knows the email may have gone out (in_flight) and looks it up instead of sending it again.
 */
import type { Db } from './db.ts';

/** Lower goes first: answers to replies and confirmations, then follow-ups, then opening emails. */
export const PRIORITY = { answer: 0, followUp: 1, opening: 2 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

export interface QueueRow {
  key: string;
  sentAt: number | null;
  inFlight: boolean;
}

export interface CampaignQueue {
  queued: number;
  sentLast24h: number;
  /** How many waiting emails (of every campaign) go before this campaign's first one. */
  ahead: number | null;
}

const DAY_MS = 86_400_000;
const PAUSE_KEY = 'send_queue.paused_until';

// A send waits only while its negotiation is busy with it: one parked, or that went elsewhere before its email was
// out (an opening queued at intake whose composing failed and escalated), has no email queued any more.
const QUEUED = 'q.sent_at IS NULL AND n.failure IS NULL AND n.busy = 1';

export function createSendQueueStore(db: Db) {
  const insert = db.prepare(`
    INSERT INTO send_queue (key, negotiation_id, campaign_id, priority, enqueued_at)
    SELECT @key, @negotiationId, (SELECT campaign_id FROM negotiations WHERE id = @negotiationId), @priority, @at
    WHERE true ON CONFLICT (key) DO UPDATE SET asleep = 0`);
  const insertAsleep = db.prepare(`
    INSERT INTO send_queue (key, negotiation_id, campaign_id, priority, enqueued_at, asleep)
    VALUES (@key, @negotiationId, @campaignId, @priority, @at, 1) ON CONFLICT (key) DO NOTHING`);
  const sleep = db.prepare('UPDATE send_queue SET asleep = 1 WHERE key = ? AND sent_at IS NULL');
  const select = db.prepare('SELECT key, sent_at AS sentAt, in_flight AS inFlight FROM send_queue WHERE key = ?');
  const grant = db.prepare('UPDATE send_queue SET sent_at = ?, in_flight = 1 WHERE key = ?');
  const confirm = db.prepare('UPDATE send_queue SET sent_at = COALESCE(sent_at, ?), in_flight = 0 WHERE key = ?');
  const release = db.prepare('UPDATE send_queue SET sent_at = NULL, in_flight = 0 WHERE key = ?');
  const inFlightOf = db.prepare('SELECT 1 FROM send_queue WHERE negotiation_id = ? AND in_flight = 1 LIMIT 1');
  const dropWaiting = db.prepare('DELETE FROM send_queue WHERE negotiation_id = ? AND sent_at IS NULL');
  // CROSS JOIN keeps the queue's order index outside: the first rows in sending order, not every busy negotiation's.
  const waiting = db.prepare(`
    SELECT q.key, q.negotiation_id AS negotiationId, q.priority
    FROM send_queue q CROSS JOIN negotiations n ON n.id = q.negotiation_id
    WHERE ${QUEUED} ORDER BY q.priority, q.seq LIMIT ?`);
  const countSince = db.prepare('SELECT COUNT(*) FROM send_queue WHERE sent_at >= ?').pluck();
  const nthSince = db.prepare('SELECT sent_at FROM send_queue WHERE sent_at >= ? ORDER BY sent_at LIMIT 1 OFFSET ?');
  const last = db.prepare('SELECT MAX(sent_at) FROM send_queue WHERE sent_at IS NOT NULL').pluck();
  const queuedCount = db
    .prepare(`
    SELECT COUNT(*) FROM send_queue q JOIN negotiations n ON n.id = q.negotiation_id WHERE ${QUEUED}`)
    .pluck();
  const campaignCounts = db.prepare(`
    SELECT SUM(${QUEUED}) AS queued, SUM(q.sent_at >= @since) AS sent,
      (SELECT priority || ':' || seq FROM send_queue
       WHERE campaign_id = @campaignId AND sent_at IS NULL ORDER BY priority, seq LIMIT 1) AS head
    FROM send_queue q JOIN negotiations n ON n.id = q.negotiation_id WHERE q.campaign_id = @campaignId`);
  const aheadOf = db
    .prepare(`
    SELECT COUNT(*) FROM send_queue q JOIN negotiations n ON n.id = q.negotiation_id
    WHERE ${QUEUED} AND (q.priority < @priority OR (q.priority = @priority AND q.seq < @seq))`)
    .pluck();
  const readPause = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const writePause = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  return {
    /** Its effect waits for its turn now (its negotiation is in memory): idempotent, the place is kept. */
    enqueue(row: { key: string; negotiationId: string; priority: Priority }, at: number): void {
      insert.run({ ...row, at });
    },
    /** A send queued for a negotiation stored but not in memory (asleep): woken when its turn nears. */
    enqueueAsleep(
      row: { key: string; negotiationId: string; campaignId: string; priority: Priority },
      at: number,
    ): void {
      insertAsleep.run({ ...row, at });
    },
    /**
     * Its negotiation leaves memory while it waits: the boot leaves it to the queue, which wakes it. False when the
     * row is not waiting (granted before a restart: it waits outside the queue's order and must stay in memory).
     */
    sleep(key: string): boolean {
      return sleep.run(key).changes === 1;
    },
    get(key: string): QueueRow | undefined {
      const row = select.get(key) as { key: string; sentAt: number | null; inFlight: number } | undefined;
      return row && { key: row.key, sentAt: row.sentAt, inFlight: row.inFlight === 1 };
    },
    /** Committed before the mailbox is called: from here on the email may have gone out. */
    grant(key: string, at: number): void {
      grant.run(at, key);
    },
    /** The mailbox took it (or it was found among the sent messages). */
    confirm(key: string, at: number): void {
      confirm.run(at, key);
    },
    /**
     * A person paused or stopped the negotiation: its emails still waiting for their turn leave the queue. False
     * (nothing removed) when one of its emails is in the mailbox's hands right now: that one finishes first.
     */
    withdraw(negotiationId: string): boolean {
      if (inFlightOf.get(negotiationId)) return false;
      dropWaiting.run(negotiationId);
      return true;
    },
    /** The mailbox refused it for a limit (nothing went out): it waits again in its place. */
    release(key: string): void {
      release.run(key);
    },
    /** The first waiting sends, in sending order. */
    waiting(limit: number): { key: string; negotiationId: string; priority: Priority }[] {
      return waiting.all(limit) as { key: string; negotiationId: string; priority: Priority }[];
    },
    sentSince(since: number): number {
      return countSince.get(since) as number;
    },
    /** The send time of the n-th oldest send since `since` (0-based), when there are that many. */
    nthSentSince(since: number, n: number): number | null {
      return (nthSince.get(since, n) as { sent_at: number } | undefined)?.sent_at ?? null;
    },
    lastSentAt(): number | null {
      return (last.get() as number | null) ?? null;
    },
    queued(): number {
      return queuedCount.get() as number;
    },
    campaign(campaignId: string, now: number): CampaignQueue {
      const row = campaignCounts.get({ campaignId, since: now - DAY_MS }) as {
        queued: number | null;
        sent: number | null;
        head: string | null;
      };
      const [priority, seq] = row.head ? row.head.split(':').map(Number) : [];
      return {
        queued: row.queued ?? 0,
        sentLast24h: row.sent ?? 0,
        ahead: row.head ? (aheadOf.get({ priority, seq }) as number) : null,
      };
    },
    pausedUntil(): number {
      return Number(readPause.get(PAUSE_KEY) ?? 0) || 0;
    },
    pauseUntil(at: number): void {
      writePause.run(PAUSE_KEY, String(at));
    },
  };
}

export type SendQueueStore = ReturnType<typeof createSendQueueStore>;
