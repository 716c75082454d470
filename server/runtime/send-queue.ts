/**
 * The per-mailbox send queue (decisions D20). Every send effect waits here for its turn: answers to replies and
 * confirmations first, then follow-ups, then opening emails (FIFO within each), paced by the per-minute cap
 * (sends spaced 60 s / cap apart), the per-day cap (a rolling 24 hours, as Gmail counts), the optional sending
 * window and any wait the mailbox asked for (429 Retry-After, Gmail's rate and daily limits). The rows are in
 * SQLite (persistence/send-queue.ts); the waiting effects are the running negotiations, restored at boot. A big
 * campaign's negotiations are created asleep (stored, not in memory, their opening emails queued): the queue wakes
 * the first WAKE_AHEAD waiting sends' negotiations (`wake`), so only those are live actors while the rest wait.
 * Times are the agent's clock, so the sandbox clock (POST /sandbox/clock) moves the queue too.
 */
import { type CampaignQueue, PRIORITY, type Priority, type SendQueueStore } from '../../persistence/send-queue.ts';
import type { Clock } from '../../services/clock.ts';
import type { RateLimited } from '../../services/mail/rate-limit.ts';
import type { Logger } from '../observability/logger.ts';

export interface SendWindow {
  startMinute: number; // minutes after local midnight
  endMinute: number;
  timeZone: string; // IANA
}

export interface SendLimits {
  perMinute: number;
  perDay: number;
  window: SendWindow | null;
}

export type WaitReason = 'minute cap' | 'daily cap' | 'sending window' | 'mailbox limit';

export interface QueueStatus {
  queued: number;
  sentLast24h: number;
  nextSendAt: string | null;
  waitingFor: WaitReason | null;
}

const DAY_MS = 86_400_000;
const MAX_SLEEP_MS = 60_000; // re-check at least every minute (the sandbox clock can jump)
const LOOKAHEAD = 200; // waiting rows read per turn; rows without a live waiter (a parked negotiation) are skipped
const WAKE_AHEAD = 20; // the first waiting sends whose negotiations are kept awake (live, composed, ready)
const WAKE_TIMEOUT_MS = 30_000; // woken and still not waiting: it has moved on (parked, stopped), skip it
// Live waiters beyond which one that comes to wait on its own (not woken for its turn; not an answer, which goes
// first anyway) is put to sleep: its row marked, its actor released (`release`), woken again as its turn nears.
const LIVE_MAX = 50;
// Slots granted together in one commit span at most this much of the minute cap's spacing: with Gmail's caps (one
// send a second or slower) that is one at a time, as the spacing says; a faster mailbox (the sandbox) takes the
// slots that came due while the event loop was busy in one commit instead of one commit each.
const GRANT_SPAN_MS = 50;

interface Waiter {
  priority: Priority;
  resolve(): void;
}

export function createSendQueue(deps: {
  store: SendQueueStore;
  clock: Clock;
  limits: SendLimits;
  logger: Logger;
  onLimited?(limit: RateLimited): void;
  /** Restores a negotiation not in memory; its send effect then comes back here to wait for its turn. */
  wake?(negotiationId: string): void;
  /** Lets go of a negotiation's live actor (its send waits here, asleep): the wait ends, aborted. */
  release?(negotiationId: string): void;
  /** Runs a write in the next group commit (sharing its fsync); resolves once it is committed. */
  commit(write: () => void): Promise<void>;
}) {
  const { store, clock, limits } = deps;
  const spacingMs = 60_000 / limits.perMinute;
  const waiters = new Map<string, Waiter>();
  // key -> when its negotiation was woken (real time, this process: the agent's clock may jump), until it waits
  const woken = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let stopped = false;
  let granting = false; // a grant's commit is pending: the rows do not show it yet, so nothing is picked meanwhile
  // Sends whose rows are on their way into a commit (key -> priority): nothing that comes after them in sending
  // order is granted meanwhile, so an answer never waits behind an opening that overtook it during its commit.
  const enqueuing = new Map<string, Priority>();

  /**
   * When the next email may go out and what holds it back until then; and how many slots are open once it may
   * (at least one: the minute cap's slots that came due since the last send, within GRANT_SPAN_MS, and the day's rest).
   */
  function nextSlot(now: number): { at: number; reason: WaitReason | null; open: number } {
    let at = now;
    let reason: WaitReason | null = null;
    const later = (t: number, why: WaitReason) => {
      if (t > at) [at, reason] = [t, why];
    };
    later(store.pausedUntil(), 'mailbox limit');
    const last = store.lastSentAt();
    if (last != null) later(last + spacingMs, 'minute cap');
    const today = store.sentSince(now - DAY_MS);
    if (today >= limits.perDay) {
      const oldest = store.nthSentSince(now - DAY_MS, today - limits.perDay);
      if (oldest != null) later(oldest + DAY_MS, 'daily cap');
    }
    if (limits.window) later(windowOpenAt(at, limits.window), 'sending window');
    let open = Math.max(1, Math.floor(GRANT_SPAN_MS / spacingMs));
    if (last != null) open = Math.min(open, Math.floor((now - last) / spacingMs));
    open = Math.min(open, limits.perDay - today);
    return { at, reason, open: Math.max(1, open) };
  }

  /**
   * The next waiting send with a live waiter, in sending order; meanwhile the first WAKE_AHEAD sends without one
   * have their negotiations woken (once per process: one that never comes back to wait has moved on).
   */
  function pick(rows: { key: string; negotiationId: string; priority: Priority }[], max: number): string[] {
    const now = Date.now();
    const found: string[] = [];
    let awake = 0;
    let before = Number.POSITIVE_INFINITY; // the best priority of a send on its way in (none: nothing is held)
    for (const priority of enqueuing.values()) before = Math.min(before, priority);
    for (const { key, negotiationId, priority } of rows) {
      if (enqueuing.has(key) || priority > before) return found; // the rest comes after a send on its way in
      if (awake >= WAKE_AHEAD && found.length) break;
      if (waiters.has(key)) {
        if (found.length < max) found.push(key);
        awake++;
        continue;
      }
      const at = woken.get(key);
      if (at !== undefined) {
        if (now - at < WAKE_TIMEOUT_MS) awake++; // still waking up
        continue;
      }
      if (awake >= WAKE_AHEAD || !deps.wake) continue;
      woken.set(key, now);
      awake++;
      deps.wake(negotiationId);
    }
    if (found.length) return found;
    let best: [string, Waiter] | undefined;
    for (const entry of waiters) if (!best || entry[1].priority < best[1].priority) best = entry;
    return best && best[1].priority <= before ? [best[0]] : [];
  }

  function run() {
    scheduled = false;
    if (stopped || granting) return; // the grant's commit pokes when it is done
    let wait = MAX_SLEEP_MS;
    try {
      const now = clock.now();
      const rows = store.waiting(LOOKAHEAD);
      const slot = nextSlot(now);
      const keys = pick(rows, slot.open); // also wakes the negotiations whose turn nears
      if (!keys.length) {
        if (rows.length === 0) return; // nothing waits: the next turn() pokes
        // Only woken negotiations to wait for: they poke when their sends wait; look further on if one never does.
        clearTimeout(timer);
        timer = setTimeout(run, WAKE_TIMEOUT_MS).unref();
        return;
      }
      if (slot.at <= now) return grant(keys, now);
      wait = Math.min(Math.max(1, Math.ceil(slot.at - now)), MAX_SLEEP_MS);
    } catch (error) {
      deps.logger.error('send queue could not be read', { error: String(error) });
    }
    clearTimeout(timer);
    timer = setTimeout(run, wait).unref();
  }

  /** Their turn: committed before the mailbox is called (a restart looks them up, never resends), then they go. */
  function grant(keys: string[], now: number) {
    const granted = keys.map((key) => [key, waiters.get(key)] as const);
    const still = (key: string, waiter: Waiter | undefined) => waiter && waiters.get(key) === waiter;
    granting = true;
    deps
      .commit(() => {
        for (const [key, waiter] of granted) if (still(key, waiter)) store.grant(key, now);
      })
      .then(
        () => {
          granting = false;
          for (const [key, waiter] of granted) {
            if (!still(key, waiter)) continue; // stopped meanwhile: its row says it may have gone; a restart looks
            waiters.delete(key);
            waiter?.resolve();
          }
          poke();
        },
        (error) => {
          granting = false;
          deps.logger.error('send queue could not be written', { error: String(error) });
          clearTimeout(timer);
          timer = setTimeout(run, MAX_SLEEP_MS).unref();
        },
      );
  }

  /** Inside a commit: no other send waits before this one and a slot is open, so it is granted there and then. */
  function firstInLine(key: string): boolean {
    if (stopped || granting || waiters.size > 0 || enqueuing.size > 1) return false;
    const now = clock.now();
    if (store.waiting(1)[0]?.key !== key || nextSlot(now).at > now) return false;
    store.grant(key, now);
    return true;
  }

  /** Puts a waiter to sleep, after this turn (its effect is on the stack): durable first, then its actor goes. */
  function sleep(email: { key: string; negotiationId: string }, waiter: Waiter) {
    if (!deps.release) return;
    const release = deps.release;
    setImmediate(() => {
      if (stopped || waiters.get(email.key) !== waiter) return; // granted, or gone, meanwhile
      try {
        if (!store.sleep(email.key)) return; // not a waiting row (granted before a restart): it stays live
      } catch (error) {
        deps.logger.error('send queue could not be written', { error: String(error) });
        return; // it stays live and waits as it is
      }
      release(email.negotiationId);
    });
  }

  function poke() {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(run);
  }

  return {
    /**
     * Waits for this email's turn (enqueued once per key; its place survives restarts). Rejects when `signal`
     * aborts (its negotiation stopped; the row keeps its place for the restored one).
     */
    async turn(email: { key: string; negotiationId: string; priority: Priority }, signal: AbortSignal): Promise<void> {
      signal.throwIfAborted(); // stopped before it came to wait: no row
      const at = clock.now();
      let grantedAtOnce = false;
      // Its row joins the next group commit (stopped before that commit, it gets none); when nothing waits before
      // it and a slot is open, its grant goes in the same commit.
      enqueuing.set(email.key, email.priority);
      try {
        await deps.commit(() => {
          if (signal.aborted) return;
          store.enqueue(email, at);
          grantedAtOnce = firstInLine(email.key);
        });
      } finally {
        enqueuing.delete(email.key); // from here on it waits as a waiter (below), or is granted, or failed
        poke();
      }
      if (grantedAtOnce) {
        woken.delete(email.key);
        return signal.throwIfAborted(); // stopped meanwhile: its row says it may have gone; a restart looks
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          if (waiters.get(email.key) === waiter) waiters.delete(email.key);
          reject(signal.reason);
        };
        const waiter: Waiter = {
          priority: email.priority,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        const wokenForTurn = woken.delete(email.key);
        waiters.set(email.key, waiter);
        if (!wokenForTurn && email.priority !== PRIORITY.answer && waiters.size > LIVE_MAX) sleep(email, waiter);
        poke();
      });
    },
    /**
     * The opening emails of negotiations created asleep (written in the caller's transaction, with them): each
     * keeps its place, and its negotiation is woken when its turn nears. Poke once the transaction is committed.
     */
    queueAsleep(sends: { key: string; negotiationId: string; campaignId: string }[]): void {
      const now = clock.now();
      for (const send of sends) store.enqueueAsleep({ ...send, priority: PRIORITY.opening }, now);
    },
    /** Paused or stopped: the negotiation's waiting emails leave the queue; false if one is being sent now. */
    withdraw(negotiationId: string): boolean {
      const withdrawn = store.withdraw(negotiationId);
      if (withdrawn) poke(); // its place goes to the next one
      return withdrawn;
    },
    /** Whether this send was handed to the mailbox before (so it may have gone out); undefined if never queued. */
    mayHaveSent(key: string): boolean | undefined {
      const row = store.get(key);
      return row ? row.sentAt != null : undefined;
    },
    /** Found among the sent messages: it counts as sent. */
    sent(key: string): void {
      store.confirm(key, clock.now());
    },
    /** The mailbox refused it for a limit (nothing went out): wait as asked, then it goes again in its place. */
    limited(key: string, limit: RateLimited): void {
      store.release(key);
      const until = clock.now() + limit.waitMs;
      if (until > store.pausedUntil()) store.pauseUntil(until);
      deps.logger.warn('the mailbox asked to wait; sending paused', {
        until: new Date(until).toISOString(),
        daily: limit.daily,
      });
      deps.onLimited?.(limit);
    },
    status(): QueueStatus {
      const now = clock.now();
      const queued = store.queued();
      const slot = nextSlot(now);
      return {
        queued,
        sentLast24h: store.sentSince(now - DAY_MS),
        nextSendAt: queued ? new Date(slot.at).toISOString() : null,
        waitingFor: queued ? slot.reason : null,
      };
    },
    /** A campaign's share: queued, sent in the last 24 hours, and when its next email is expected to go out. */
    campaign(campaignId: string): CampaignQueue & { nextSendAt: string | null } {
      const now = clock.now();
      const mine = store.campaign(campaignId, now);
      if (mine.ahead == null || mine.queued === 0) return { ...mine, nextSendAt: null };
      const slot = nextSlot(now).at;
      const leftToday = Math.max(0, limits.perDay - store.sentSince(now - DAY_MS));
      // An estimate: the slots ahead at the minute pace, whole days once today's allowance is used up.
      const at =
        mine.ahead < leftToday
          ? slot + mine.ahead * spacingMs
          : slot + Math.ceil((mine.ahead - leftToday + 1) / limits.perDay) * DAY_MS;
      return { ...mine, nextSendAt: new Date(at).toISOString() };
    },
    /** How many emails wait for their turn right now (their negotiations are busy, but nothing is in flight). */
    waiting: () => waiters.size,
    /** The clock moved (sandbox) or a limit changed: look again. */
    poke,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type SendQueue = ReturnType<typeof createSendQueue>;

/**
 * The queue's priority for a send, from the email itself: a new thread is an opening email; a reply to our own
 * last message (no word from them since) is a follow-up; anything answering their message (a counter, an
 * answer, a confirmation, an exit) goes first.
 */
export function priorityOf(
  email: { threadId: string | null; inReplyTo: string | null },
  ours: (id: string) => boolean,
) {
  if (!email.threadId) return PRIORITY.opening;
  return email.inReplyTo && ours(email.inReplyTo) ? PRIORITY.followUp : PRIORITY.answer;
}

/** The first moment at or after `at` inside the sending window. */
export function windowOpenAt(at: number, window: SendWindow): number {
  const minute = localMinute(at, window.timeZone);
  const { startMinute: start, endMinute: end } = window;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (inside) return at;
  const minutesUntil = (start - minute + 1440) % 1440;
  return Math.floor(at / 60_000) * 60_000 + minutesUntil * 60_000;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function localMinute(at: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

/** "09:00-18:00" -> minutes after midnight; null for an empty setting. Throws on a malformed one. */
export function parseSendWindow(text: string | undefined, timeZone: string): SendWindow | null {
  if (!text) return null;
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new Error('must look like 09:00-18:00');
  const [h1, m1, h2, m2] = m.slice(1).map(Number);
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59) throw new Error('hours 0-24, minutes 0-59');
  const startMinute = h1 * 60 + m1;
  const endMinute = h2 * 60 + m2;
  if (startMinute === endMinute) throw new Error('the window is empty');
  return { startMinute, endMinute, timeZone };
}
