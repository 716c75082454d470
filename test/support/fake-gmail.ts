/**
 * A local fake of the Gmail API subset the agent uses, on 127.0.0.1 with a random port, for the REAL
 * @googleapis/gmail client (pointed at it with rootUrl). It keeps Gmail's shapes: string ids and history ids,
 * newest-first search results, history pages with nextPageToken, 404 for a history id past the horizon,
 * Google-style error bodies. Any Bearer token is accepted. A sent raw message is read strictly, as a strict MTA
 * would (test/support/mime-check.ts): bare LF, invalid headers or missing MIME parts are refused with a 400.
 * It enforces Gmail's limits: 250 quota units a second per user (messages.send costs 100, messages.get and .list
 * 5, history.list 2, threads.get 10) and a rolling day's sending limit (2,000, Workspace), answered with a 429,
 * a Google error reason (rateLimitExceeded / dailyLimitExceeded) and Retry-After, on its own clock (`now`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createGmailQuota } from './gmail-quota.ts';
import { mimeProblems } from './mime-check.ts';

export type Route =
  | 'getProfile'
  | 'watch'
  | 'messages.send'
  | 'messages.get'
  | 'messages.list'
  | 'history.list'
  | 'threads.get';

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

interface Failure {
  remaining: number;
  status: number;
  route?: Route;
  afterEffect: boolean;
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

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export interface FakeGmailOptions {
  emailAddress?: string;
  pageSize?: number;
  startHistoryId?: number;
  /** The fake's clock for quotas and message dates (a test's simulated clock); Date.now by default. */
  now?: () => number;
  unitsPerSecond?: number; // 250 by default, as Gmail's per-user limit
  sendsPerDay?: number; // 2,000 by default, as a Google Workspace mailbox
}

export async function startFakeGmail(opts: FakeGmailOptions = {}) {
  const now = opts.now ?? Date.now;
  const quota = createGmailQuota({ now, unitsPerSecond: opts.unitsPerSecond, sendsPerDay: opts.sendsPerDay });
  const emailAddress = opts.emailAddress ?? 'deals@agency.example';
  const pageSize = opts.pageSize ?? 2;
  let historyId = opts.startHistoryId ?? 1000;
  let horizon = 0; // history ids below this are gone (404)
  let idCounter = 0;
  let sends = 0;
  const messages = new Map<string, FakeMessage>();
  const history: HistoryRecord[] = [];
  const failures: Failure[] = [];
  const requests: { route: Route; method: string; url: string; status: number }[] = [];
  const watches: { topicName: string; labelIds: string[]; labelFilterBehavior?: string }[] = [];
  const refused: { raw: Buffer; problems: string[] }[] = [];

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

  // ---- routes ----

  async function send(body: { raw?: string; threadId?: string }) {
    if (!body.raw)
      throw new HttpError(400, "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    if (body.threadId && !threadOf(body.threadId).length) throw new HttpError(404, 'Requested entity was not found.');
    const raw = Buffer.from(body.raw, 'base64url');
    const problems = mimeProblems(raw);
    if (problems.length) {
      refused.push({ raw, problems });
      throw new HttpError(400, `Invalid RFC 5322 message: ${problems.join('; ')}`);
    }
    const mail = await simpleParser(raw);
    const toSelf = [mail.to ?? []].flat().some((a) => a.value.some((v) => v.address?.toLowerCase() === emailAddress));
    const message = await store(raw, body.threadId ?? '', toSelf ? ['SENT', 'INBOX'] : ['SENT'], now());
    sends++;
    quota.sent();
    return { id: message.id, threadId: message.threadId, labelIds: message.labelIds };
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

  function startWatch(body: { topicName?: string; labelIds?: string[]; labelFilterBehavior?: string }) {
    if (!body.topicName) throw new HttpError(400, 'Invalid topicName');
    watches.push({
      topicName: body.topicName,
      labelIds: body.labelIds ?? [],
      labelFilterBehavior: body.labelFilterBehavior,
    });
    return { historyId: String(historyId), expiration: String(now() + 7 * 24 * 3600 * 1000) };
  }

  function route(method: string, path: string): { name: Route; arg: string } | null {
    const m = /^\/gmail\/v1\/users\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return null;
    const rest = m[2];
    const table: [string, RegExp, Route][] = [
      ['GET', /^profile$/, 'getProfile'],
      ['POST', /^watch$/, 'watch'],
      ['POST', /^messages\/send$/, 'messages.send'],
      ['GET', /^messages$/, 'messages.list'],
      ['GET', /^messages\/([^/]+)$/, 'messages.get'],
      ['GET', /^history$/, 'history.list'],
      ['GET', /^threads\/([^/]+)$/, 'threads.get'],
    ];
    for (const [verb, pattern, name] of table) {
      const hit = pattern.exec(rest);
      if (verb === method && hit) return { name, arg: decodeURIComponent(hit[1] ?? '') };
    }
    return null;
  }

  async function dispatch(name: Route, arg: string, query: URLSearchParams, req: IncomingMessage): Promise<unknown> {
    switch (name) {
      case 'getProfile':
        return { emailAddress, messagesTotal: messages.size, threadsTotal: 0, historyId: String(historyId) };
      case 'watch':
        return startWatch(await jsonBody(req));
      case 'messages.send':
        return send(await jsonBody(req));
      case 'messages.get':
        return getMessage(arg, query);
      case 'messages.list':
        return listMessages(query);
      case 'history.list':
        return listHistory(query);
      case 'threads.get':
        return getThread(arg, query);
    }
  }

  function takeFailure(name: Route): Failure | null {
    const failure = failures.find((f) => f.remaining > 0 && (!f.route || f.route === name));
    if (!failure) return null;
    failure.remaining--;
    return failure;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const found = route(req.method ?? 'GET', url.pathname);
    const reply = (status: number, body: unknown) => {
      if (found) requests.push({ route: found.name, method: req.method ?? '', url: req.url ?? '', status });
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string) =>
      reply(status, {
        error: {
          code: status,
          message,
          errors: [{ message, domain: 'global', reason: 'fake' }],
          status: STATUS_NAMES[status],
        },
      });
    if (!found) return fail(404, `no route for ${req.method} ${url.pathname}`);
    if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
      return fail(401, 'Request is missing a valid credential.');
    const limit = quota.take(found.name);
    if (limit) {
      req.resume();
      requests.push({ route: found.name, method: req.method ?? '', url: req.url ?? '', status: 429 });
      res.writeHead(429, {
        'content-type': 'application/json; charset=UTF-8',
        'retry-after': String(limit.retryAfterS),
      });
      const errors = [{ message: limit.message, domain: 'usageLimits', reason: limit.reason }];
      res.end(JSON.stringify({ error: { code: 429, message: limit.message, errors, status: STATUS_NAMES[429] } }));
      return;
    }
    const failure = takeFailure(found.name);
    if (failure && !failure.afterEffect) {
      req.resume();
      return fail(failure.status, `injected ${failure.status}`);
    }
    try {
      const body = await dispatch(found.name, found.arg, url.searchParams, req);
      if (failure) return fail(failure.status, `injected ${failure.status} after the effect`);
      reply(200, body);
    } catch (err) {
      if (err instanceof HttpError) return fail(err.status, err.message);
      fail(500, String(err));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    rootUrl: `http://127.0.0.1:${port}/`,
    emailAddress,
    get historyId(): string {
      return String(historyId);
    },
    /** Successful messages.send calls. */
    get sends(): number {
      return sends;
    },
    requests,
    watches,
    /** Requests refused for Gmail's limits (per-second quota units, the day's sends). */
    quotaRefusals: quota.refusals,
    /** Raw messages messages.send refused, with what a strict MTA found wrong in them. */
    refused,
    sent(): FakeMessage[] {
      return [...messages.values()].filter((m) => m.labelIds.includes('SENT'));
    },
    message(id: string): FakeMessage | undefined {
      return messages.get(id);
    },
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
    /** The next n matching requests fail with status; afterEffect: the request takes effect, then fails. */
    failNext(n: number, status: number, options: { route?: Route; afterEffect?: boolean } = {}) {
      failures.push({ remaining: n, status, route: options.route, afterEffect: options.afterEffect ?? false });
    },
    /** history.list with a startHistoryId below id answers 404, as Gmail does for ids it no longer keeps. */
    expireHistoryBefore(id: number | string) {
      horizon = Number(id);
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeGmail = Awaited<ReturnType<typeof startFakeGmail>>;

async function jsonBody<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new HttpError(400, 'Invalid JSON payload received.');
  }
}
