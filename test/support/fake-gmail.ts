/**
 * A local fake of the Gmail API subset the agent uses, on 127.0.0.1 with a random port, for the REAL
 * @googleapis/gmail client (pointed at it with rootUrl). It keeps Gmail's shapes: string ids and history ids,
 * newest-first search results, history pages with nextPageToken, 404 for a history id past the horizon,
 * Google-style error bodies. Any Bearer token is accepted. A sent raw message is read strictly, as a strict MTA
 * would (test/support/mime-check.ts): bare LF, invalid headers or missing MIME parts are refused with a 400.
 * It enforces Gmail's limits: 250 quota units a second per user (messages.send costs 100, messages.get and .list
 * 5, history.list 2, threads.get 10) and a rolling day's sending limit (2,000, Workspace), answered with a 429,
 * a Google error reason (rateLimitExceeded / dailyLimitExceeded) and Retry-After, on its own clock (`now`).
 * The messages, threads and history are the mailbox's (fake-gmail-mailbox.ts); this file is the HTTP side.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { createFakeMailbox, type FakeMessage, HttpError } from './fake-gmail-mailbox.ts';
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

interface Failure {
  remaining: number;
  status: number;
  route?: Route;
  afterEffect: boolean;
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
  const mailbox = createFakeMailbox({ emailAddress, pageSize, startHistoryId: opts.startHistoryId ?? 1000, now });
  const { messages } = mailbox;
  let sends = 0;
  const failures: Failure[] = [];
  const requests: { route: Route; method: string; url: string; status: number }[] = [];
  const watches: { topicName: string; labelIds: string[]; labelFilterBehavior?: string }[] = [];
  const refused: { raw: Buffer; problems: string[] }[] = [];

  async function send(body: { raw?: string; threadId?: string }) {
    if (!body.raw)
      throw new HttpError(400, "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    if (body.threadId && !mailbox.threadOf(body.threadId).length)
      throw new HttpError(404, 'Requested entity was not found.');
    const raw = Buffer.from(body.raw, 'base64url');
    const problems = mimeProblems(raw);
    if (problems.length) {
      refused.push({ raw, problems });
      throw new HttpError(400, `Invalid RFC 5322 message: ${problems.join('; ')}`);
    }
    const mail = await simpleParser(raw);
    const toSelf = [mail.to ?? []].flat().some((a) => a.value.some((v) => v.address?.toLowerCase() === emailAddress));
    const message = await mailbox.store(raw, body.threadId ?? '', toSelf ? ['SENT', 'INBOX'] : ['SENT'], now());
    sends++;
    quota.sent();
    return { id: message.id, threadId: message.threadId, labelIds: message.labelIds };
  }

  function startWatch(body: { topicName?: string; labelIds?: string[]; labelFilterBehavior?: string }) {
    if (!body.topicName) throw new HttpError(400, 'Invalid topicName');
    watches.push({
      topicName: body.topicName,
      labelIds: body.labelIds ?? [],
      labelFilterBehavior: body.labelFilterBehavior,
    });
    return { historyId: String(mailbox.historyId), expiration: String(now() + 7 * 24 * 3600 * 1000) };
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
        return { emailAddress, messagesTotal: messages.size, threadsTotal: 0, historyId: String(mailbox.historyId) };
      case 'watch':
        return startWatch(await jsonBody(req));
      case 'messages.send':
        return send(await jsonBody(req));
      case 'messages.get':
        return mailbox.getMessage(arg, query);
      case 'messages.list':
        return mailbox.listMessages(query);
      case 'history.list':
        return mailbox.listHistory(query);
      case 'threads.get':
        return mailbox.getThread(arg, query);
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
      return String(mailbox.historyId);
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
    deliver: mailbox.deliver,
    markRead: mailbox.markRead,
    deleteMessage: mailbox.deleteMessage,
    expireHistoryBefore: mailbox.expireHistoryBefore,
    /** The next n matching requests fail with status; afterEffect: the request takes effect, then fails. */
    failNext(n: number, status: number, options: { route?: Route; afterEffect?: boolean } = {}) {
      failures.push({ remaining: n, status, route: options.route, afterEffect: options.afterEffect ?? false });
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
