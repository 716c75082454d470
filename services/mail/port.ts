/** The mail port: the sandbox mailbox and (later) Gmail both implement it. */
import { createHash } from 'node:crypto';

export { addressOf } from '../addresses.ts';

export interface OutgoingEmail {
  messageId: string; // RFC 2822 Message-ID derived from the effect's idempotency key
  from: string;
  to: string;
  subject: string;
  text: string; // the text/plain part (line breaks as \n; the mailbox writes CRLF on the wire)
  html: string; // the text/html part: the same email, the scope-of-work block with their ask struck (D19)
  threadId: string | null; // null starts a new thread
  inReplyTo: string | null;
  references: string[];
}

export interface SentEmailReceipt {
  messageId: string;
  threadId: string;
  sentAt: string;
}

export interface InboundEmail {
  messageId: string;
  threadId: string;
  from: string; // raw From header
  to: string;
  subject: string;
  /**
   * The mailbox's own view of the message (Gmail: as a mail client shows it; sandbox: the body). After the
   * intake has read the reply (server/runtime/mail-intake.ts, decisions D16): their new words only.
   */
  text: string;
  /** The whole text as the sender's client wrote it (quoted history and signature included): what the intake reads. */
  body: string;
  receivedAt: string;
  // Set by the intake's reply extraction (services/mail/reply), the same for every mailbox:
  signature?: string | null; // what the signature and footer rules cut off
  quoted?: string | null; // quoted history / forwarded content cut away (context, never their words: D16)
  uncertain?: boolean; // the new text could not be separated with confidence (D16: the reply is unclear)
  raw?: string | null; // the full RFC 2822 message, latin1 (byte for byte)
}

export interface MailPort {
  send(email: OutgoingEmail): Promise<SentEmailReceipt>;
  /** Looks a sent message up by Message-ID: a send that may be a retry is skipped when it is found (D9). */
  findSent(messageId: string): Promise<SentEmailReceipt | null>;
  /**
   * Every mailbox message after the cursor, oldest first, and the new cursor. A null cursor means from the
   * start (sandbox) or from now (Gmail). Gmail throws HistoryTooOldError when the cursor has expired.
   */
  fetchSince(cursor: string | null): Promise<{ messages: InboundEmail[]; cursor: string | null }>;
  /** After an expired cursor: the recent messages of these threads, and a fresh cursor (Gmail only). */
  resync?(threadIds: string[], sinceMs: number): Promise<{ messages: InboundEmail[]; cursor: string | null }>;
}

/** history.list said 404: the stored historyId is older than Gmail keeps (about a week), so re-sync. */
export class HistoryTooOldError extends Error {
  readonly startHistoryId: string;
  constructor(startHistoryId: string, cause?: unknown) {
    super(`Gmail history ${startHistoryId} is too old or unknown; re-sync recent messages`, { cause });
    this.name = 'HistoryTooOldError';
    this.startHistoryId = startHistoryId;
  }
}

/** A stable Message-ID for an idempotency key, so a retried send can be recognised. */
export function messageIdFor(key: string, agentEmail: string): string {
  const domain = agentEmail.split('@')[1] ?? 'agent.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}
