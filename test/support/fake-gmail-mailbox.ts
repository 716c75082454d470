/**
 * The mailbox behind the fake Gmail API (fake-gmail.ts): messages with Gmail's string ids, threads, and the
 * history records a history.list pages through (404 below the horizon). Its reads answer as the API would;
 * an HttpError is the status and message the API answers with.
 */
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface FakeMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  internalDate: number;
  historyId: number;
  raw: Buffer;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
}

interface HistoryRecord {
  id: number;
  messagesAdded?: { message: { id: string; threadId: string; labelIds: string[] } }[];
  labelsRemoved?: { message: { id: string; threadId: string; labelIds: string[] }; labelIds: string[] }[];
  messagesDeleted?: { message: { id: string; threadId: string } }[];
}

export interface DeliverInput {
  from: string;
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  raw?: Buffer | string; // a whole RFC 2822 message instead of from/subject/text
  threadId?: string;
  inReplyTo?: string;
  references?: string[];
  messageId?: string;
  internalDate?: number; // epoch ms; now by default
}

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface FakeMailboxOptions {
  emailAddress: string;
  pageSize: number;
  startHistoryId: number;
  now: () => number;
}

export function createFakeMailbox(opts: FakeMailboxOptions) {
  const { emailAddress, pageSize, now } = opts;
  let historyId = opts.startHistoryId;
  let horizon = 0; // history ids below this are gone (404)
  let idCounter = 0;
  const messages = new Map<string, FakeMessage>();
  const history: HistoryRecord[] = [];

  const newId = () => `18e${(++idCounter).toString(16).padStart(13, '0')}`; // Gmail ids are 16 hex digits
  const threadOf = (threadId: string) =>
    [...messages.values()].filter((m) => m.threadId === threadId).sort((a, b) => a.historyId - b.historyId);
  const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '').toLowerCase();

  async function store(raw: Buffer, threadId: string, labelIds: string[], internalDate: number) {
    let mail = await simpleParser(raw);
    if (!mail.messageId) {
      // Like Gmail, give a message without a Message-ID one.
      raw = Buffer.concat([Buffer.from(`Message-ID: <${randomBytes(12).toString('hex')}@mail.gmail.com>\r\n`), raw]);
      mail = await simpleParser(raw);
    }
    const id = newId();
    const message: FakeMessage = {
      id,
      threadId: threadId || id,
      labelIds,
      internalDate,
      historyId: ++historyId,
      raw,
      messageId: mail.messageId ?? '',
      from: mail.from?.text ?? '',
      to: [mail.to ?? []]
        .flat()
        .map((a) => a.text)
        .join(', '),
      subject: mail.subject ?? '',
      inReplyTo: mail.inReplyTo ?? null,
      references: [mail.references ?? []].flat(),
      text: (mail.text ?? '').trim(),
    };
    messages.set(id, message);
    history.push({ id: message.historyId, messagesAdded: [{ message: ref(message) }] });
    return message;
  }

  const ref = (m: FakeMessage) => ({ id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] });

  function resource(m: FakeMessage, format: string, metadataHeaders: string[] = []) {
    const base = {
      id: m.id,
      threadId: m.threadId,
      labelIds: m.labelIds,
      snippet: m.text.slice(0, 100),
      historyId: String(m.historyId),
      internalDate: String(m.internalDate),
      sizeEstimate: m.raw.length,
    };
    if (format === 'raw') return { ...base, raw: m.raw.toString('base64url') };
    if (format === 'minimal') return base;
    const all: [string, string][] = [
      ['Message-ID', m.messageId],
      ['From', m.from],
      ['To', m.to],
      ['Subject', m.subject],
    ];
    const wanted = metadataHeaders.map((h) => h.toLowerCase());
    const headers = all
      .filter(([name]) => format === 'full' || wanted.includes(name.toLowerCase()))
      .map(([name, value]) => ({ name, value }));
    return { ...base, payload: { mimeType: 'message/rfc822', headers } };
  }

  function getMessage(id: string, query: URLSearchParams) {
    const message = messages.get(id);
    if (!message) throw new HttpError(404, 'Requested entity was not found.');
    return resource(message, query.get('format') ?? 'full', query.getAll('metadataHeaders'));
  }

  function listMessages(query: URLSearchParams) {
    let found = [...messages.values()];
    for (const term of (query.get('q') ?? '').split(/\s+/).filter(Boolean)) {
      const [key, ...rest] = term.split(':');
      const value = rest.join(':');
      if (key === 'rfc822msgid') found = found.filter((m) => bare(m.messageId) === bare(value));
      else if (key === 'in') found = found.filter((m) => m.labelIds.includes(value.toUpperCase()));
      else if (key === 'after') found = found.filter((m) => m.internalDate > Number(value) * 1000);
      else throw new HttpError(400, `the fake does not support the search term ${term}`);
    }
    found.sort((a, b) => b.internalDate - a.internalDate || b.historyId - a.historyId); // newest first
    const list = found.map((m) => ({ id: m.id, threadId: m.threadId }));
    return list.length ? { messages: list, resultSizeEstimate: list.length } : { resultSizeEstimate: 0 };
  }

  function listHistory(query: URLSearchParams) {
    const start = Number(query.get('startHistoryId'));
    if (!query.get('startHistoryId') || !Number.isInteger(start)) throw new HttpError(400, 'Invalid startHistoryId');
    if (start < horizon) throw new HttpError(404, 'Requested entity was not found.');
    const types = query.getAll('historyTypes');
    const after = Number(query.get('pageToken') ?? start);
    const matching = history.filter(
      (r) =>
        r.id > after &&
        (!types.length ||
          (types.includes('messageAdded') && r.messagesAdded) ||
          (types.includes('labelRemoved') && r.labelsRemoved) ||
          (types.includes('messageDeleted') && r.messagesDeleted)),
    );
    const page = matching.slice(0, pageSize);
    const more = matching.length > pageSize;
    return {
      ...(page.length ? { history: page.map((r) => ({ ...r, messages: messagesOf(r) })) } : {}),
      ...(more ? { nextPageToken: String(page.at(-1)?.id) } : {}),
      historyId: String(historyId),
    };
  }

  const messagesOf = (r: HistoryRecord) =>
    [...(r.messagesAdded ?? []), ...(r.labelsRemoved ?? []), ...(r.messagesDeleted ?? [])].map(({ message }) => ({
      id: message.id,
      threadId: message.threadId,
    }));

  function getThread(id: string, query: URLSearchParams) {
    const format = query.get('format') ?? 'full';
    if (format === 'raw') throw new HttpError(400, 'Invalid format: raw is not supported for threads');
    const thread = threadOf(id);
    if (!thread.length) throw new HttpError(404, 'Requested entity was not found.');
    return {
      id,
      historyId: String(Math.max(...thread.map((m) => m.historyId))),
      messages: thread.map((m) => resource(m, format, query.getAll('metadataHeaders'))),
    };
  }

  return {
    messages,
    get historyId(): number {
      return historyId;
    },
    threadOf,
    store,
    getMessage,
    listMessages,
    listHistory,
    getThread,
    /** Mail from the outside world arrives in the inbox, threaded by threadId or by In-Reply-To/References. */
    async deliver(input: DeliverInput): Promise<FakeMessage> {
      const raw =
        input.raw !== undefined
          ? Buffer.from(input.raw)
          : await new MailComposer({
              from: input.from,
              to: input.to ?? emailAddress,
              subject: input.subject ?? '',
              text: input.text,
              html: input.html,
              messageId: input.messageId,
              inReplyTo: input.inReplyTo,
              references: input.references,
            })
              .compile()
              .build();
      const parsed = await simpleParser(raw);
      const parents = [parsed.inReplyTo, ...[parsed.references ?? []].flat()].filter((v): v is string => !!v);
      const parent = [...messages.values()].find((m) => parents.some((p) => bare(p) === bare(m.messageId)));
      const threadId = input.threadId ?? parent?.threadId ?? '';
      return store(raw, threadId, ['INBOX', 'UNREAD'], input.internalDate ?? now());
    },
    /** A label change: a history record that is not messageAdded. */
    markRead(id: string) {
      const message = messages.get(id);
      if (!message) throw new Error(`no message ${id}`);
      message.labelIds = message.labelIds.filter((l) => l !== 'UNREAD');
      history.push({ id: ++historyId, labelsRemoved: [{ message: ref(message), labelIds: ['UNREAD'] }] });
    },
    deleteMessage(id: string) {
      const message = messages.get(id);
      if (!message) throw new Error(`no message ${id}`);
      messages.delete(id);
      history.push({ id: ++historyId, messagesDeleted: [{ message: { id, threadId: message.threadId } }] });
    },
    /** history.list with a startHistoryId below id answers 404, as Gmail does for ids it no longer keeps. */
    expireHistoryBefore(id: number | string) {
      horizon = Number(id);
    },
  };
}
