/**
 * Inbound mail: reads the mailbox after the persisted cursor, stores every new message of a known thread in
 * the durable inbox (with the cursor, in one transaction), and only then lets the caller acknowledge. Own sent
 * mail is skipped (decisions D9). Delivery to the actors happens after the acknowledgement.
 */
import type { Db } from '../persistence/db.ts';
import type { Inbox, InboxMessage } from '../persistence/inbox.ts';
import type { Queries } from '../persistence/queries.ts';
import type { Clock } from '../services/clock.ts';
import { addressOf, type MailPort } from '../services/mail/port.ts';
import type { Logger } from './logger.ts';

const CURSOR_KEY = 'mail.cursor';

export function createMailIntake(deps: {
  db: Db;
  mail: MailPort;
  inbox: Inbox;
  queries: Queries;
  clock: Clock;
  agentEmail: string;
  logger: Logger;
}) {
  const readCursor = deps.db.prepare('SELECT value FROM settings WHERE key = ?');
  const writeCursor = deps.db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  let running: Promise<InboxMessage[]> = Promise.resolve([]);

  async function pullOnce(): Promise<InboxMessage[]> {
    const stored: InboxMessage[] = [];
    for (;;) {
      const cursor = (readCursor.get(CURSOR_KEY) as { value: string } | undefined)?.value ?? null;
      const page = await deps.mail.fetchSince(cursor);
      if (!page.messages.length) return stored;
      deps.db.transaction(() => {
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
          const message: InboxMessage = { ...m, negotiationId };
          if (deps.inbox.store(message, deps.clock.iso())) stored.push(message);
        }
        if (page.cursor != null) writeCursor.run(CURSOR_KEY, page.cursor);
      })();
    }
  }

  return {
    /** Stores every new message in the inbox; serialized so two pushes never read the same page twice. */
    pull(): Promise<InboxMessage[]> {
      running = running.catch(() => []).then(pullOnce);
      return running;
    },
  };
}

export type MailIntake = ReturnType<typeof createMailIntake>;
