/**
 * Inbound mail: reads the mailbox after the persisted cursor, stores every new message of a known thread in
 * the durable inbox (with the cursor, in one transaction), and only then lets the caller acknowledge. Own sent
 * mail is skipped (decisions D9). Delivery to the actors happens after the acknowledgement.
 *
 * This is the one place a reply is read, for every mailbox (decisions D16): the body as the sender's client
 * wrote it goes through the reply extraction, with the thread's earlier messages (our sent emails and their
 * earlier replies, from the timeline) and the sender's name as hints. The inbox stores their new words, the
 * quoted context and signature cut away, and whether the words could be told apart with confidence.
 */
import type { Db } from '../../persistence/db.ts';
import type { WalSync } from '../../persistence/wal-sync.ts';
import type { Inbox, InboxMessage } from '../../persistence/inbox.ts';
import type { Queries } from '../../persistence/queries.ts';
import { createSettings } from '../../persistence/settings.ts';
import { queryTimeline } from '../../persistence/timeline.ts';
import type { Clock } from '../../services/clock.ts';
import { addressOf, HistoryTooOldError, type InboundEmail, type MailPort } from '../../services/mail/port.ts';
import { extractReply } from '../../services/mail/reply/index.ts';
import type { Logger } from '../observability/logger.ts';

const THREAD_HINTS = 20; // the newest emails of the thread, both directions
const QUOTED_KEEP = 20_000; // quoted context kept with a reply (the newest history is at its top)
const SIGNATURE_KEEP = 4_000;

const CURSOR_KEY = 'mail.cursor';
const DAY_MS = 86_400_000;
const RESYNC_DEFAULT_MS = 30 * DAY_MS; // how far back to look when nothing was ever received

export function createMailIntake(deps: {
  db: Db;
  /** The inbox's commit, fsynced off the event loop: a page is stored once the disk has it. */
  wal: Pick<WalSync, 'transaction' | 'sync'>;
  mail: MailPort;
  inbox: Inbox;
  queries: Queries;
  clock: Clock;
  agentEmail: string;
  logger: Logger;
}) {
  const settings = createSettings(deps.db);
  let running: Promise<InboxMessage[]> | null = null;
  let next: Promise<InboxMessage[]> | null = null; // the one pull every caller arriving meanwhile shares
  const cursorNow = () => settings.get(CURSOR_KEY);

  /** The earlier emails of a negotiation's thread, newest first: hints for reading a reply (D16). */
  function threadTexts(negotiationId: string): string[] {
    return queryTimeline(deps.db, {
      negotiationId,
      types: ['email_sent', 'email_received'],
      order: 'desc',
      limit: THREAD_HINTS,
    })
      .map((e) => String(e.data.text ?? ''))
      .filter(Boolean);
  }

  /** Their reply as the negotiation reads it: one extraction for every mailbox. */
  function read(m: InboundEmail, negotiationId: string): InboxMessage {
    const displayName = m.from.includes('<') ? m.from.slice(0, m.from.indexOf('<')).replace(/"/g, '').trim() : '';
    // A client that sends no display name: the influencer's own name still starts their signature.
    const row = displayName ? undefined : deps.queries.negotiation(negotiationId);
    const own = row && addressOf(m.from) === row.influencerEmail.toLowerCase() ? row.influencerName : null;
    const senderName = displayName || own;
    const reply = extractReply(m.body, { thread: threadTexts(negotiationId), senderName });
    return {
      messageId: m.messageId,
      negotiationId,
      threadId: m.threadId,
      from: m.from,
      subject: m.subject,
      text: reply.text,
      receivedAt: m.receivedAt,
      signature: reply.signature?.slice(0, SIGNATURE_KEEP) ?? null,
      quoted: reply.quoted?.slice(0, QUOTED_KEEP) ?? null,
      uncertain: reply.uncertain,
      raw: m.raw ?? null,
    };
  }

  /**
   * Stores the page's messages of known threads and the new cursor in one transaction; returns what was new once
   * it is on disk (the 202 of a push or a sandbox post means durable, D9).
   */
  async function storePage(page: { messages: InboundEmail[]; cursor: string | null }): Promise<InboxMessage[]> {
    const stored: InboxMessage[] = [];
    if (!page.messages.length && page.cursor === cursorNow()) return stored; // nothing new: no write, no fsync
    // Read outside the write transaction: extraction is bounded, but need not hold the writer.
    const messages: InboxMessage[] = [];
    for (const m of page.messages) {
      if (addressOf(m.from) === deps.agentEmail.toLowerCase()) continue; // our own sent mail
      const negotiationId = deps.queries.negotiationByThread(m.threadId);
      if (!negotiationId) {
        deps.logger.info('mail on a thread with no negotiation, ignored', {
          messageId: m.messageId,
          threadId: m.threadId,
        });
        continue;
      }
      if (!deps.inbox.has(m.messageId)) messages.push(read(m, negotiationId));
    }
    deps.wal.transaction(() => {
      for (const message of messages) if (deps.inbox.store(message, deps.clock.iso())) stored.push(message);
      if (page.cursor != null) settings.set(CURSOR_KEY, page.cursor);
    });
    await deps.wal.sync();
    return stored;
  }

  /**
   * Gmail forgot our cursor (an outage of more than about a week): re-read the open threads from a day before
   * the newest message we hold; the inbox drops what it already has (decisions D9).
   */
  async function resync(error: unknown): Promise<InboxMessage[]> {
    if (!(error instanceof HistoryTooOldError) || !deps.mail.resync) throw error;
    const latest = deps.inbox.latestReceivedAt();
    const sinceMs = (latest ? Date.parse(latest) : deps.clock.now() - RESYNC_DEFAULT_MS) - DAY_MS;
    deps.logger.warn('mail cursor too old, re-syncing the open threads', { since: new Date(sinceMs).toISOString() });
    return storePage(await deps.mail.resync(deps.queries.openThreads(), sinceMs));
  }

  async function pullOnce(): Promise<InboxMessage[]> {
    const stored: InboxMessage[] = [];
    let resynced = false;
    for (;;) {
      const cursor = cursorNow();
      const page = await deps.mail.fetchSince(cursor).catch(async (error) => {
        if (resynced) throw error; // a fresh cursor refused again: report it rather than loop
        resynced = true;
        stored.push(...(await resync(error)));
        return null;
      });
      if (!page) continue;
      stored.push(...(await storePage(page)));
      // Done when nothing new came and the cursor did not move (Gmail's first call only sets the cursor).
      if (!page.messages.length && page.cursor === cursor) return stored;
    }
  }

  return {
    /** Stores every new message in the inbox; serialized so two pushes never read the same page twice. */
    /**
     * Stores every new message in the inbox. Serialized, and coalesced: callers arriving while a pull runs share
     * the next one, so a burst of pushes (or sandbox posts) costs one commit, not one each (group commit).
     */
    pull(): Promise<InboxMessage[]> {
      const start = (): Promise<InboxMessage[]> => {
        const pull = pullOnce().finally(() => {
          if (running === pull) running = null;
        });
        running = pull;
        return pull;
      };
      if (next) return next;
      if (!running) return start();
      next = running
        .catch(() => [])
        .then(() => {
          next = null;
          return start();
        });
      return next;
    },
  };
}

export type MailIntake = ReturnType<typeof createMailIntake>;
