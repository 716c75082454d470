/** The durable inbox: inbound mail is stored here (unique by message id) before it is acknowledged. */
import type { Db } from './db.ts';

export interface InboxMessage {
  messageId: string;
  negotiationId: string;
  threadId: string;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  signature?: string | null;
  quoted?: string | null;
  uncertain?: boolean;
  /** The full RFC 2822 message as latin1 text (byte for byte), when the mailbox provides it. */
  raw?: string | null;
}

const COLUMNS = `message_id AS messageId, negotiation_id AS negotiationId, thread_id AS threadId, from_addr AS "from",
  subject, text, received_at AS receivedAt, signature, quoted, uncertain`;

type Row = Omit<InboxMessage, 'uncertain'> & { uncertain: number };
const toMessage = ({ uncertain, ...row }: Row): InboxMessage => ({ ...row, uncertain: uncertain === 1 });

export function createInbox(db: Db) {
  const insert = db.prepare(`
    INSERT OR IGNORE INTO inbox (message_id, negotiation_id, thread_id, from_addr, subject, text, received_at, stored_at,
      signature, raw, quoted, uncertain)
    VALUES (@messageId, @negotiationId, @threadId, @from, @subject, @text, @receivedAt, @storedAt, @signature, @raw,
      @quoted, @uncertain)`);
  const pendingRows = db.prepare(
    `SELECT ${COLUMNS} FROM inbox WHERE taken_at IS NULL AND failed IS NULL ORDER BY stored_at, rowid`,
  );
  const pendingFor = db.prepare(
    `SELECT ${COLUMNS} FROM inbox WHERE negotiation_id = ? AND taken_at IS NULL AND failed IS NULL ORDER BY stored_at, rowid`,
  );
  const rawOf = db.prepare('SELECT raw FROM inbox WHERE message_id = ?').pluck();
  const latest = db.prepare('SELECT MAX(received_at) FROM inbox').pluck();
  const markFailed = db.prepare('UPDATE inbox SET failed = ? WHERE message_id = ?');
  const markTaken = db.prepare('UPDATE inbox SET taken_at = ? WHERE message_id = ? AND taken_at IS NULL');
  const pendingOne = db.prepare('SELECT 1 FROM inbox WHERE message_id = ? AND taken_at IS NULL AND failed IS NULL');
  const stored = db.prepare('SELECT 1 FROM inbox WHERE message_id = ?');

  return {
    /** Stores a message; false when it was already there (a re-delivery). */
    store(message: InboxMessage, storedAt: string): boolean {
      const { messageId, negotiationId, threadId, from, subject, text, receivedAt } = message;
      return (
        insert.run({
          messageId,
          negotiationId,
          threadId,
          from,
          subject,
          text,
          receivedAt,
          storedAt,
          signature: message.signature ?? null,
          raw: message.raw ?? null,
          quoted: message.quoted ?? null,
          uncertain: message.uncertain ? 1 : 0,
        }).changes === 1
      );
    },
    /** Whether a message is stored already (taken or not): a re-delivery need not be read again. */
    has(messageId: string): boolean {
      return stored.get(messageId) !== undefined;
    },
    raw(messageId: string): string | null {
      return (rawOf.get(messageId) as string | null | undefined) ?? null;
    },
    /** When the newest stored message was received (re-sync after a long outage starts before it). */
    latestReceivedAt(): string | null {
      return (latest.get() as string | null) ?? null;
    },
    isPending(messageId: string): boolean {
      return pendingOne.get(messageId) !== undefined;
    },
    /** Messages not yet taken by their actor, oldest first. */
    pending(negotiationId?: string): InboxMessage[] {
      return ((negotiationId ? pendingFor.all(negotiationId) : pendingRows.all()) as Row[]).map(toMessage);
    },
    /** Marks a message taken (inside the transaction of the transition that took it, or for a closed negotiation). */
    markTaken(messageId: string, at: string): void {
      markTaken.run(at, messageId);
    },
    /** Dead-letters a message that made its actor fail, so it is not re-delivered forever. */
    fail(messageId: string, reason: string): void {
      markFailed.run(reason, messageId);
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;
