/**
 * Sees commits land: a read-only connection to the agent's database polls the (append-only) timeline every
 * millisecond or so for new rows of the given types. An entry is "seen" at the first poll after the agent's
 * transaction committed, so a latency measured up to `seenAt` includes the durable commit (plus up to one poll
 * interval and this process's event-loop lag: both reported by `pollGapP99Ms`).
 */
import Database from 'better-sqlite3';
import { percentile } from './http.ts';

export interface Seen {
  id: number;
  type: string;
  negotiationId: string | null;
  /** json data.messageId: the reply's Message-ID (email_received) or our answer's (email_sent) */
  messageId: string | null;
  /** the agent's own timestamp of the transition (epoch ms, before its commit) */
  atMs: number;
  /** performance.now() of the poll that first saw the committed row */
  seenAt: number;
}

export function watchTimeline(file: string, types: string[], everyMs = 1) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let last = db.prepare('SELECT COALESCE(MAX(id), 0) FROM timeline').pluck().get() as number;
  // Every new row (one statement, one snapshot: nothing can slip between two reads); data only for `types`.
  const watched = new Set(types);
  const poll = db.prepare(
    `SELECT id, type, negotiation_id AS negotiationId, at,
      CASE WHEN type IN (${types.map(() => '?').join(', ')}) THEN json_extract(data, '$.messageId') END AS messageId
      FROM timeline WHERE id > ? ORDER BY id`,
  );
  const listeners = new Set<(row: Seen) => void>();
  const gaps: number[] = [];
  let lastPoll = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function tick() {
    if (stopped) return;
    const now = performance.now();
    gaps.push(now - lastPoll);
    if (gaps.length > 200_000) gaps.splice(0, 100_000);
    lastPoll = now;
    const rows = poll.all(...types, last) as (Omit<Seen, 'seenAt' | 'atMs'> & { at: string })[];
    const seenAt = performance.now();
    for (const r of rows) {
      last = Math.max(last, r.id);
      if (!watched.has(r.type)) continue;
      const row: Seen = { ...r, atMs: Date.parse(r.at), seenAt };
      for (const l of listeners) l(row);
    }
    timer = setTimeout(tick, everyMs);
  }
  timer = setTimeout(tick, everyMs);

  return {
    on(listener: (row: Seen) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Resets the poll-gap statistics (call at the start of a measurement). */
    resetGaps() {
      gaps.length = 0;
    },
    pollGapP99Ms: () => percentile(gaps, 99),
    close() {
      stopped = true;
      clearTimeout(timer);
      db.close();
    },
  };
}

export type TimelineWatch = ReturnType<typeof watchTimeline>;
