/**
 * The sandbox mailbox: a local stand-in for Gmail with threads, Message-IDs and In-Reply-To/References.
 * Its history id works like Gmail's: the agent reads everything after its persisted cursor. Inbound mail is
 * kept as the sender's client wrote it; the intake reads the reply from it like Gmail's (decisions D16).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { SandboxDb } from '../sandbox/db.ts';
import type { InboundEmail, MailPort, OutgoingEmail, SentEmailReceipt } from './port.ts';

export interface StoredMail {
  historyId: number;
  messageId: string;
  threadId: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null; // the HTML part of a sent email (null for inbound mail)
  inReplyTo: string | null;
  references: string[];
  at: string;
  raw: string | null; // an inbound message delivered whole (POST /sandbox/mail with `raw`)
}

const COLUMNS = `history_id AS historyId, message_id AS messageId, thread_id AS threadId, direction,
  from_addr AS "from", to_addr AS "to", subject, text, html, in_reply_to AS inReplyTo, refs, at, raw`;

type Row = Omit<StoredMail, 'references'> & { refs: string };
const toMail = ({ refs, ...row }: Row): StoredMail => ({ ...row, references: JSON.parse(refs) });

export function createSandboxMailbox(
  db: SandboxDb,
  clock: Clock,
  hooks: {
    beforeSend?: (email: OutgoingEmail) => void;
    /** `stored` is false when the mailbox already held this Message-ID (a second send of the same email). */
    afterSend?: (email: OutgoingEmail, stored: boolean) => void;
  } = {},
) {
  const insert = db.prepare(`
    INSERT OR IGNORE INTO mail (message_id, thread_id, direction, from_addr, to_addr, subject, text, html, in_reply_to, refs, at, raw)
    VALUES (@messageId, @threadId, @direction, @from, @to, @subject, @text, @html, @inReplyTo, @refs, @at, @raw)`);
  const byMessageId = db.prepare(`SELECT ${COLUMNS} FROM mail WHERE message_id = ?`);
  const since = db.prepare(`SELECT ${COLUMNS} FROM mail WHERE history_id > ? ORDER BY history_id LIMIT 500`);
  const threadExists = db.prepare('SELECT 1 FROM mail WHERE thread_id = ? LIMIT 1');
  const threadOfMessage = db.prepare('SELECT thread_id FROM mail WHERE message_id = ?').pluck();

  const receipt = (m: StoredMail): SentEmailReceipt => ({ messageId: m.messageId, threadId: m.threadId, sentAt: m.at });
  const find = (messageId: string) => {
    const row = byMessageId.get(messageId) as Row | undefined;
    return row && toMail(row);
  };

  const port: MailPort = {
    async send(email: OutgoingEmail): Promise<SentEmailReceipt> {
      hooks.beforeSend?.(email);
      const { changes } = insert.run({
        ...email,
        threadId: email.threadId ?? randomBytes(8).toString('hex'),
        direction: 'out',
        inReplyTo: email.inReplyTo,
        refs: JSON.stringify(email.references),
        at: clock.iso(),
        raw: null,
      });
      hooks.afterSend?.(email, changes === 1);
      // A repeated Message-ID is the same email: the mailbox keeps the first, as Gmail's lookup would find it.
      return receipt(find(email.messageId) as StoredMail);
    },
    async findSent(messageId: string) {
      const mail = find(messageId);
      return mail?.direction === 'out' ? receipt(mail) : null;
    },
    async fetchSince(cursor: string | null) {
      const rows = (since.all(Number(cursor ?? 0)) as Row[]).map(toMail);
      const messages: InboundEmail[] = rows.map((m) => ({
        messageId: m.messageId,
        threadId: m.threadId,
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        body: m.text,
        receivedAt: m.at,
        raw: m.raw,
      }));
      return { messages, cursor: rows.length ? String(rows.at(-1)?.historyId) : cursor };
    },
  };

  return {
    ...port,
    /** An email from the outside world arrives in the mailbox; a repeated Message-ID is a no-op. */
    deliver(email: {
      messageId: string;
      threadId: string;
      from: string;
      to: string;
      subject: string;
      text: string; // the body as the sender's client wrote it
      inReplyTo?: string | null;
      references?: string[];
      raw?: string | null; // the whole message, when it was delivered as one
    }) {
      const row = {
        ...email,
        raw: email.raw ?? null,
        direction: 'in',
        html: null,
        inReplyTo: email.inReplyTo ?? null,
        refs: JSON.stringify(email.references ?? []),
        at: clock.iso(),
      };
      const duplicate = insert.run(row).changes === 0;
      return { messageId: email.messageId, duplicate };
    },
    /** Gmail's threading: the thread of the newest referenced message this mailbox holds, else null. */
    threadFor(messageIds: string[]): string | null {
      for (const id of [...messageIds].reverse()) {
        const thread = threadOfMessage.get(id) as string | undefined;
        if (thread) return thread;
      }
      return null;
    },
    hasThread(threadId: string): boolean {
      return threadExists.get(threadId) !== undefined;
    },
    /** What the agent sent, oldest first (GET /sandbox/mail). */
    sent(filter: { to?: string; threadId?: string }): StoredMail[] {
      const where = ["direction = 'out'"];
      const args: string[] = [];
      if (filter.to) {
        where.push('lower(to_addr) = lower(?)');
        args.push(filter.to);
      }
      if (filter.threadId) {
        where.push('thread_id = ?');
        args.push(filter.threadId);
      }
      const rows = db
        .prepare(`SELECT ${COLUMNS} FROM mail WHERE ${where.join(' AND ')} ORDER BY history_id`)
        .all(...args);
      return (rows as Row[]).map(toMail);
    },
  };
}

export type SandboxMailbox = ReturnType<typeof createSandboxMailbox>;
