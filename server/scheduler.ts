/**
 * Durable timers (decisions D7): deadlines live in the negotiations table (next_deadline_at), never in
 * XState `after` timers, which do not survive a restore. Due deadlines get an explicit TIMEOUT event; deadlines
 * that passed while the process was down fire at once.
 */
import type { Db } from '../persistence/db.ts';
import type { Clock } from '../services/clock.ts';

const MAX_SLEEP_MS = 60_000; // re-check at least every minute (the sandbox clock can jump)
const BATCH = 20;

export function createScheduler(deps: { db: Db; clock: Clock; fire(negotiationId: string, at: string): void }) {
  const due = deps.db.prepare(`
    SELECT id, next_deadline_at AS at FROM negotiations
    WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= ? AND failure IS NULL
    ORDER BY next_deadline_at LIMIT 500`);
  const next = deps.db.prepare(
    'SELECT MIN(next_deadline_at) AS at FROM negotiations WHERE next_deadline_at > ? AND failure IS NULL',
  );
  const fired = new Map<string, number>(); // negotiation -> deadline already fired (never fire one twice)
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let stopped = false;

  function run() {
    scheduled = false;
    if (stopped) return;
    const now = deps.clock.now();
    let firedNow = 0;
    for (const row of due.all(now) as { id: string; at: number }[]) {
      if (fired.get(row.id) === row.at) continue;
      fired.set(row.id, row.at);
      deps.fire(row.id, new Date(now).toISOString());
      // A burst of due timers (a campaign's follow-ups, or a long downtime) must not freeze the server:
      // fire a batch, then let HTTP and other work run before the next one.
      if (++firedNow === BATCH) {
        scheduled = true;
        setImmediate(run);
        return;
      }
    }
    clearTimeout(timer);
    const at = (next.get(now) as { at: number | null }).at;
    if (at != null) timer = setTimeout(run, Math.min(at - now, MAX_SLEEP_MS)).unref();
  }

  return {
    /** Re-evaluate soon (a deadline changed or the clock moved). */
    poke() {
      if (scheduled || stopped) return;
      scheduled = true;
      setImmediate(run);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
