/**
 * The Gmail mailbox (llm-email.md §7 [Port], decisions D9) over the real @googleapis/gmail client.
 * - send: our own Message-ID (derived from the idempotency key) goes out as is, so findSent can look it up.
 * - fetchSince: the cursor is a Gmail historyId; every history page is followed, the agent's own sent mail
 *   is included (history is not label-filtered; the intake skips it by address), drafts are not.
 * - Retries are gaxios's defaults: GET calls are retried on 429/5xx/network errors, POST calls (send, watch)
 *   are not, so a failed send surfaces and the caller decides through findSent whether to send again.
 */
import { type gmail_v1, gmail as gmailApi } from '@googleapis/gmail';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Clock, createClock } from '../clock.ts';
import { statusOf } from '../google-errors.ts';
import { type ParsedEmail, parseRawEmail } from './parse.ts';
import {
  HistoryTooOldError,
  type InboundEmail,
  type MailPort,
  type OutgoingEmail,
  type SentEmailReceipt,
} from './port.ts';

export { HistoryTooOldError };

/** A Gmail client; rootUrl points it at a local fake in tests. */
export function createGmailClient(opts: { auth: gmail_v1.Options['auth']; rootUrl?: string }): gmail_v1.Gmail {
  return gmailApi({ version: 'v1', auth: opts.auth, ...(opts.rootUrl ? { rootUrl: opts.rootUrl } : {}) });
}

/** A fetched message: what the port carries plus what replies and re-syncs need. */
export interface GmailMessage extends InboundEmail {
  gmailId: string;
  labelIds: string[];
  parsed: ParsedEmail;
}

export function createGmailMailbox(opts: { gmail: gmail_v1.Gmail; userId?: string; clock?: Clock }): MailPort {
  const { gmail } = opts;
  const userId = opts.userId ?? 'me';
  const clock = opts.clock ?? createClock();

  return {
    async send(email: OutgoingEmail): Promise<SentEmailReceipt> {
      const raw = (await compose(email)).toString('base64url');
      const res = await gmail.users.messages.send({
        userId,
        requestBody: { raw, ...(email.threadId ? { threadId: email.threadId } : {}) },
      });
      if (!res.data.threadId) throw new Error(`Gmail accepted ${email.messageId} without a thread id`);
      return { messageId: email.messageId, threadId: res.data.threadId, sentAt: clock.iso() };
    },

    async findSent(messageId: string): Promise<SentEmailReceipt | null> {
      // Gmail's documented form has no angle brackets (rfc822msgid:abc@example.com).
      const res = await gmail.users.messages.list({
        userId,
        q: `rfc822msgid:${messageId.replace(/^<|>$/g, '')}`,
        includeSpamTrash: false,
      });
      for (const hit of res.data.messages ?? []) {
        if (!hit.id) continue;
        const meta = await getOrNull(gmail, userId, hit.id, 'minimal');
        // Only our own copy counts, as in the sandbox: an inbound message with that id is not a send.
        if (meta?.threadId && meta.labelIds?.includes('SENT')) {
          return { messageId, threadId: meta.threadId, sentAt: isoOf(meta.internalDate) ?? clock.iso() };
        }
      }
      return null;
    },

    async fetchSince(cursor: string | null) {
      // No cursor yet: start from now; Gmail cannot replay a mailbox's whole history.
      if (cursor === null) return { messages: [], cursor: (await profile(gmail, userId)).historyId };
      const added = await addedSince(gmail, userId, cursor);
      const messages: InboundEmail[] = [];
      for (const id of added.ids) {
        const message = await getMessage(gmail, id, userId);
        if (message) messages.push(toInbound(message));
      }
      return { messages, cursor: added.historyId };
    },

    async resync(threadIds: string[], sinceMs: number) {
      // The cursor is read first, so nothing that arrives during the re-sync falls between the two.
      const { historyId } = await profile(gmail, userId);
      const messages = await recentThreadMessages(gmail, threadIds, sinceMs, userId);
      return { messages: messages.map(toInbound), cursor: historyId };
    },
  };
}

/** Line breaks on the wire are CRLF (RFC 5322), whatever the text was written with. */
const crlf = (text: string) => text.replace(/\r\n|\r|\n/g, '\r\n');
/** A msg-id with its angle brackets; anything else (spaces, missing brackets) would not be a valid header. */
const msgId = (id: string) => {
  const bare = id.trim().replace(/^<|>$/g, '');
  return /^[^<>\s]+$/.test(bare) ? `<${bare}>` : null;
};
/**
 * One "Name <address>" as nodemailer's structured address, so a comma or a quote in the name is encoded rather
 * than read as a second recipient ("Lopez, Maya <maya@x.com>" as a reply's From may be written).
 */
const mailbox = (value: string) => {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*<([^<>\s]+)>\s*$/.exec(value);
  if (!m) return value;
  const name = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '');
  return { name: name.trim(), address: m[3] };
};

/**
 * The raw RFC 5322 message (decisions D19): multipart/alternative with a text/plain and a text/html part, CRLF
 * everywhere, non-ASCII headers RFC 2047-encoded and long ones folded by nodemailer's MailComposer.
 */
export async function compose(email: OutgoingEmail): Promise<Buffer> {
  const references = email.references.map(msgId).filter((id): id is string => id !== null);
  const inReplyTo = email.inReplyTo ? msgId(email.inReplyTo) : null;
  return new MailComposer({
    from: mailbox(email.from),
    to: mailbox(email.to),
    subject: email.subject.replace(/[\r\n]+/g, ' '),
    messageId: email.messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length ? { references } : {}),
    text: crlf(email.text),
    html: crlf(email.html),
  })
    .compile()
    .build();
}

/** Every message added after startHistoryId, in history order, each once, and the history id to resume from. */
async function addedSince(
  gmail: gmail_v1.Gmail,
  userId: string,
  startHistoryId: string,
): Promise<{ ids: string[]; historyId: string }> {
  const ids: string[] = [];
  const seen = new Set<string>();
  let historyId = startHistoryId;
  let pageToken: string | undefined;
  do {
    const page = await listHistory(gmail, userId, startHistoryId, pageToken);
    for (const record of page.history ?? []) {
      for (const { message } of record.messagesAdded ?? []) {
        if (!message?.id || seen.has(message.id) || message.labelIds?.includes('DRAFT')) continue;
        seen.add(message.id);
        ids.push(message.id);
      }
    }
    // Each page carries the mailbox's current id; the last page's covers every record listed.
    historyId = page.historyId ?? historyId;
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return { ids, historyId };
}

async function listHistory(gmail: gmail_v1.Gmail, userId: string, startHistoryId: string, pageToken?: string) {
  try {
    const res = await gmail.users.history.list({
      userId,
      startHistoryId,
      historyTypes: ['messageAdded'],
      ...(pageToken ? { pageToken } : {}),
    });
    return res.data;
  } catch (err) {
    if (statusOf(err) === 404) throw new HistoryTooOldError(startHistoryId, err);
    throw err;
  }
}

/** One message, fetched raw and parsed; null when it was deleted in the meantime. */
export async function getMessage(gmail: gmail_v1.Gmail, id: string, userId = 'me'): Promise<GmailMessage | null> {
  const data = await getOrNull(gmail, userId, id, 'raw');
  if (!data?.raw || !data.threadId) return null;
  const bytes = Buffer.from(data.raw, 'base64url');
  const parsed = await parseRawEmail(bytes);
  return {
    gmailId: id,
    labelIds: data.labelIds ?? [],
    // Receiving servers add a Message-ID when the sender did not; this fallback is for mail that has none.
    messageId: parsed.messageId ?? `<${id}@gmail-message-id.invalid>`,
    threadId: data.threadId,
    from: parsed.from,
    to: parsed.to,
    subject: parsed.subject,
    text: parsed.text,
    body: parsed.fullText,
    receivedAt: isoOf(data.internalDate) ?? parsed.date ?? new Date().toISOString(),
    raw: bytes.length <= RAW_LIMIT_BYTES ? bytes.toString('latin1') : null,
    parsed,
  };
}

/** Larger messages (attachments) keep their parsed text but not the raw bytes in the audit trail. */
const RAW_LIMIT_BYTES = 1_000_000;

const toInbound = (m: GmailMessage): InboundEmail => ({
  messageId: m.messageId,
  threadId: m.threadId,
  from: m.from,
  to: m.to,
  subject: m.subject,
  text: m.text,
  body: m.body,
  receivedAt: m.receivedAt,
  raw: m.raw,
});

async function getOrNull(gmail: gmail_v1.Gmail, userId: string, id: string, format: 'raw' | 'minimal') {
  try {
    return (await gmail.users.messages.get({ userId, id, format })).data;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** The mailbox's address and current history id (the agent's own address comes from here, D9). */
export async function profile(
  gmail: gmail_v1.Gmail,
  userId = 'me',
): Promise<{ emailAddress: string; historyId: string }> {
  const { data } = await gmail.users.getProfile({ userId });
  if (!data.emailAddress || !data.historyId) throw new Error('Gmail profile without an address or history id');
  return { emailAddress: data.emailAddress, historyId: data.historyId };
}

/** Registers (or renews) push notifications for the inbox (§7.6); the documented enum is lower-case. */
export async function watch(
  gmail: gmail_v1.Gmail,
  topicName: string,
  userId = 'me',
): Promise<{ historyId: string; expirationMs: number }> {
  const { data } = await gmail.users.watch({
    userId,
    requestBody: { topicName, labelIds: ['INBOX'], labelFilterBehavior: 'include' },
  });
  if (!data.historyId || !data.expiration) throw new Error('Gmail watch without a history id or expiration');
  return { historyId: data.historyId, expirationMs: Number(data.expiration) };
}

/**
 * Re-sync after HistoryTooOldError (D9): the messages of known threads received at or after sinceMs, oldest
 * first, own sent mail included. threads.get (format minimal) lists ids and internalDates without relying on
 * the search index; only the recent ones are fetched raw. A deleted thread is skipped.
 */
export async function recentThreadMessages(
  gmail: gmail_v1.Gmail,
  threadIds: string[],
  sinceMs: number,
  userId = 'me',
): Promise<GmailMessage[]> {
  const recent: GmailMessage[] = [];
  for (const threadId of threadIds) {
    const thread = await getThreadOrNull(gmail, userId, threadId);
    for (const meta of thread?.messages ?? []) {
      if (!meta.id || meta.labelIds?.includes('DRAFT') || Number(meta.internalDate ?? 0) < sinceMs) continue;
      const message = await getMessage(gmail, meta.id, userId);
      if (message) recent.push(message);
    }
  }
  return recent.sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt));
}

async function getThreadOrNull(gmail: gmail_v1.Gmail, userId: string, id: string) {
  try {
    return (await gmail.users.threads.get({ userId, id, format: 'minimal' })).data;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

const isoOf = (ms: string | null | undefined): string | null =>
  ms && Number.isFinite(Number(ms)) ? new Date(Number(ms)).toISOString() : null;
