/**
 * Durable timers (decisions D7): deadlines live in the negotiations table (next_deadline_at), never in
 * XState `after` timers, which do not survive a restore. Due deadlines get an explicit TIMEOUT event; deadlines
 * that passed while the process was down fire at once. A deadline counts as fired only once its TIMEOUT was
 * taken; when the transition it led to could not be committed (a full disk), `retry` makes it due again (D18).
 */
import { type Db, describeError } from '../../persistence/db.ts';
import type { Clock } from '../../services/clock.ts';
import { createDeadlines } from '../../persistence/deadlines.ts';
import type { Logger } from '../observability/logger.ts';

const MAX_SLEEP_MS = 60_000; // re-check at least every minute (the sandbox clock can jump)
const BATCH = 20;

export function createScheduler(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Sends the TIMEOUT; false when the negotiation could not take it, throws when it cannot run now. */
  fire(negotiationId: string, at: string): boolean;
}) {
  const deadlines = createDeadlines(deps.db);
  // negotiation -> deadline whose TIMEOUT it took, until that transition commits (then the deadline moves on)
  const fired = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let stopped = false;

  function run() {
    scheduled = false;
    if (stopped) return;
    const now = deps.clock.now();
    let firedNow = 0;
    let wait = MAX_SLEEP_MS;
    try {
      for (const row of deadlines.due(now)) {
        if (fired.get(row.id) === row.at) continue;
        try {
          deps.fire(row.id, new Date(now).toISOString());
        } catch (error) {
          // The database cannot take writes (the host holds the work): fired again when it can (retry/poke).
          deps.logger.warn('timer not fired now', { negotiationId: row.id, error: describeError(error) });
          continue;
        }
        fired.set(row.id, row.at);
        // A burst of due timers (a campaign's follow-ups, or a long downtime) must not freeze the server:
        // fire a batch, then let HTTP and other work run before the next one.
        if (++firedNow === BATCH) {
          scheduled = true;
          setImmediate(run);
          return;
        }
      }
      const at = deadlines.next(now);
      if (at != null) wait = Math.min(at - now, MAX_SLEEP_MS);
    } catch (error) {
      deps.logger.error('scheduler could not read the deadlines', { error: describeError(error) });
    }
    clearTimeout(timer);
    timer = setTimeout(run, wait).unref();
  }

  return {
    /** Re-evaluate soon (a deadline changed or the clock moved). */
    poke() {
      if (scheduled || stopped) return;
      scheduled = true;
      setImmediate(run);
    },
    /** The transition a deadline led to was not committed: that deadline is due again. */
    retry(negotiationId: string) {
      if (!fired.delete(negotiationId)) return;
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
