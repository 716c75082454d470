/**
 * A fake Slack Web API on loopback for the real @slack/web-api WebClient (slackApiUrl = `apiUrl`): the methods the
 * agent calls, with messages, metadata and threads kept in memory, a response_url endpoint for Bolt's respond(),
 * and error injection. Like Slack, it refuses a message outside Block Kit's limits (invalid_blocks with Slack's
 * error body, msg_too_long), and keeps what it refused for the tests to read. Plus signing and payload builders
 * for requests that Slack would send to the agent.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { slackVerdict } from './block-kit.ts';

export const FAKE_BOT_TOKEN = 'xoxb-fake-token';
export const FAKE_BOT_USER = 'UBOT';
export const FAKE_BOT_ID = 'BBOT';
export const FAKE_TEAM = 'T0FAKE';

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  unfurl_links?: boolean;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
}

type Params = Record<string, unknown>;
type Reply = { status?: number; body: Params };

// Form bodies carry nested values as JSON text; these are the ones the agent sends.
const JSON_PARAMS = new Set(['blocks', 'metadata', 'view', 'attachments']);

function readParams(req: IncomingMessage, raw: string): Params {
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return raw ? JSON.parse(raw) : {};
  const params: Params = {};
  for (const [key, value] of Object.entries(parseQuery(raw))) {
    const text = Array.isArray(value) ? value[0] : value;
    params[key] = JSON_PARAMS.has(key) && typeof text === 'string' ? JSON.parse(text) : text;
  }
  return params;
}

const flag = (v: unknown) => v === true || v === 'true' || v === '1';
const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));

export async function startFakeSlack(options: { tokens?: string[] } = {}) {
  const tokens = new Set(options.tokens ?? [FAKE_BOT_TOKEN]);
  const messages: FakeMessage[] = [];
  const updates: { channel: string; ts: string; text: string; blocks: unknown[] }[] = [];
  const ephemerals: FakeEphemeral[] = [];
  const views: { trigger_id: string; view: Params }[] = [];
  const responses: { path: string; body: Params }[] = [];
  const refused: { method: string; params: Params; error: Params }[] = [];
  const callCounts = new Map<string, number>();
  const failures = new Map<string, (string | number)[]>();
  const base = Math.floor(Date.now() / 1000);
  let seq = 0;

  const nextTs = () => `${base}.${String(++seq).padStart(6, '0')}`;
  const find = (channel: string, ts: string) => messages.find((m) => m.channel === channel && m.ts === ts);
  const view = (m: FakeMessage, withMetadata: boolean) => {
    const { channel: _channel, metadata, unfurl_links: _unfurl, ...rest } = m;
    return {
      type: 'message',
      user: FAKE_BOT_USER,
      bot_id: FAKE_BOT_ID,
      ...rest,
      ...(withMetadata && metadata ? { metadata } : {}),
    };
  };
  const ok = (body: Params = {}): Reply => ({ body: { ok: true, ...body } });
  const fail = (error: string): Reply => ({ body: { ok: false, error } });
  /** Slack's own checks of a message (Block Kit limits, text length): the refusal, or null. */
  const refusal = (method: string, p: Params): Reply | null => {
    const error = slackVerdict({ text: p.text, blocks: p.blocks });
    if (!error) return null;
    refused.push({ method, params: p, error });
    return { body: error };
  };

  const methods: Record<string, (p: Params) => Reply> = {
    'auth.test': () =>
      ok({
        url: 'https://fake.slack.com/',
        team: 'Fake',
        user: 'agent',
        team_id: FAKE_TEAM,
        user_id: FAKE_BOT_USER,
        bot_id: FAKE_BOT_ID,
      }),
    'chat.postMessage': (p) => {
      const channel = str(p.channel);
      if (!channel) return fail('channel_not_found');
      if (!p.text && !p.blocks) return fail('no_text');
      const refusedPost = refusal('chat.postMessage', p);
      if (refusedPost) return refusedPost;
      const message: FakeMessage = {
        channel,
        ts: nextTs(),
        text: str(p.text),
        blocks: (p.blocks as unknown[]) ?? [],
        ...(p.thread_ts ? { thread_ts: str(p.thread_ts) } : {}),
        ...(p.metadata ? { metadata: p.metadata as FakeMessage['metadata'] } : {}),
        ...(p.unfurl_links !== undefined ? { unfurl_links: flag(p.unfurl_links) } : {}),
      };
      messages.push(message);
      return ok({ channel, ts: message.ts, message: view(message, false) });
    },
    'chat.update': (p) => {
      const message = find(str(p.channel), str(p.ts));
      if (!message) return fail('message_not_found');
      const refusedUpdate = refusal('chat.update', p);
      if (refusedUpdate) return refusedUpdate;
      message.text = str(p.text);
      if (p.blocks) message.blocks = p.blocks as unknown[];
      updates.push({ channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks });
      return ok({ channel: message.channel, ts: message.ts, text: message.text });
    },
    'chat.postEphemeral': (p) => {
      const refusedEphemeral = refusal('chat.postEphemeral', p);
      if (refusedEphemeral) return refusedEphemeral;
      ephemerals.push({ channel: str(p.channel), user: str(p.user), text: str(p.text), blocks: p.blocks as unknown[] });
      return ok({ message_ts: nextTs() });
    },
    'conversations.history': (p) => {
      const channel = str(p.channel);
      const latest = p.latest ? str(p.latest) : null;
      const oldest = p.oldest ? str(p.oldest) : null;
      const inclusive = flag(p.inclusive);
      const inRange = (ts: string) =>
        (!latest || (inclusive ? ts <= latest : ts < latest)) && (!oldest || (inclusive ? ts >= oldest : ts > oldest));
      // Top-level messages only, newest first (replies live in conversations.replies).
      const top = messages
        .filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts) && inRange(m.ts))
        .reverse();
      const limit = Number(p.limit ?? 100);
      return ok({
        messages: top.slice(0, limit).map((m) => view(m, flag(p.include_all_metadata))),
        has_more: top.length > limit,
      });
    },
    'conversations.replies': (p) => {
      const channel = str(p.channel);
      const parent = find(channel, str(p.ts));
      if (!parent) return fail('thread_not_found');
      const root = parent.thread_ts ?? parent.ts;
      const thread = messages.filter((m) => m.channel === channel && (m.ts === root || m.thread_ts === root));
      const limit = Number(p.limit ?? 1000);
      return ok({
        messages: thread.slice(0, limit).map((m) => view(m, flag(p.include_all_metadata))),
        has_more: thread.length > limit,
      });
    },
    'views.open': (p) => {
      if (!p.trigger_id) return fail('invalid_trigger_id');
      views.push({ trigger_id: str(p.trigger_id), view: p.view as Params });
      return ok({ view: { id: `V${views.length}`, ...(p.view as Params) } });
    },
  };

  function dispatch(method: string, req: IncomingMessage, params: Params): Reply {
    callCounts.set(method, (callCounts.get(method) ?? 0) + 1);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? str(params.token);
    if (!auth) return fail('not_authed');
    if (!tokens.has(auth)) return fail('invalid_auth');
    const injected = failures.get(method)?.shift();
    if (typeof injected === 'number') return { status: injected, body: { ok: false, error: 'injected' } };
    if (typeof injected === 'string') return fail(injected);
    const handler = methods[method];
    return handler ? handler(params) : fail('unknown_method');
  }

  function send(res: ServerResponse, reply: Reply) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      try {
        if (path.startsWith('/api/')) return send(res, dispatch(path.slice(5), req, readParams(req, raw)));
        if (path.startsWith('/response/')) {
          responses.push({ path, body: raw ? JSON.parse(raw) : {} });
          return send(res, ok());
        }
        send(res, { status: 404, body: { ok: false, error: 'not_found' } });
      } catch (error) {
        send(res, { status: 400, body: { ok: false, error: `bad_request: ${(error as Error).message}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api/`,
    token: FAKE_BOT_TOKEN,
    /** A response_url Bolt's respond() can post to; read back with responses(). */
    responseUrl: (id = 'r1') => `${url}/response/${id}`,
    /** Messages stored by chat.postMessage (updated in place by chat.update), oldest first. */
    posted: (channel?: string) => messages.filter((m) => !channel || m.channel === channel),
    message: (channel: string, ts: string) => find(channel, ts),
    updated: () => [...updates],
    ephemerals: () => [...ephemerals],
    views: () => [...views],
    responses: () => [...responses],
    /** Calls Slack would have refused (and this fake did), with its error body. */
    refused: () => [...refused],
    calls: (method: string) => callCounts.get(method) ?? 0,
    /** The next call of `method` fails: a Slack error code (ok:false) or an HTTP status. */
    failNext(method: string, error: string | number) {
      failures.set(method, [...(failures.get(method) ?? []), error]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** The headers Slack sends: `v0=` HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret. */
export function signSlackRequest(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

const form = (payload: unknown) => stringifyQuery({ payload: JSON.stringify(payload) });

/** A block_actions click on a button of `message` (form-encoded, as Slack posts interactivity). */
export function blockActionsPayload(a: {
  user: string;
  actionId: string;
  blockId: string;
  value?: string;
  channel: string;
  message: { ts: string; text: string; blocks: unknown[] };
  responseUrl: string;
  triggerId?: string;
}): string {
  return form({
    type: 'block_actions',
    team: { id: FAKE_TEAM, domain: 'fake' },
    user: { id: a.user, username: a.user.toLowerCase(), team_id: FAKE_TEAM },
    api_app_id: 'A0FAKE',
    token: 'verification-token-unused',
    trigger_id: a.triggerId ?? `trigger-${a.actionId}`,
    container: { type: 'message', message_ts: a.message.ts, channel_id: a.channel, is_ephemeral: false },
    channel: { id: a.channel, name: 'negotiation-escalations' },
    message: { type: 'message', user: FAKE_BOT_USER, bot_id: FAKE_BOT_ID, ...a.message },
    response_url: a.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: a.actionId,
        block_id: a.blockId,
        text: { type: 'plain_text', text: a.actionId },
        ...(a.value === undefined ? {} : { value: a.value }),
        action_ts: String(Date.now() / 1000),
      },
    ],
  });
}

/** A slash command invocation (form-encoded fields, no JSON payload). */
export function slashCommandPayload(c: {
  command: string;
  text: string;
  user: string;
  channel?: string;
  responseUrl: string;
}): string {
  return stringifyQuery({
    token: 'verification-token-unused',
    team_id: FAKE_TEAM,
    team_domain: 'fake',
    channel_id: c.channel ?? 'C0ESCALATE',
    channel_name: 'negotiation-escalations',
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: c.command,
    text: c.text,
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: `trigger-${c.command.slice(1)}`,
  });
}

/** A modal submission: `values` maps block_id -> action_id -> typed text. */
export function viewSubmissionPayload(v: {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, string>>;
}): string {
  const values = Object.fromEntries(
    Object.entries(v.values).map(([block, actions]) => [
      block,
      Object.fromEntries(Object.entries(actions).map(([id, value]) => [id, { type: 'plain_text_input', value }])),
    ]),
  );
  return form({
    type: 'view_submission',
    team: { id: FAKE_TEAM, domain: 'fake' },
    user: { id: v.user, username: v.user.toLowerCase(), team_id: FAKE_TEAM },
    api_app_id: 'A0FAKE',
    token: 'verification-token-unused',
    trigger_id: 'trigger-view',
    is_enterprise_install: false,
    view: {
      id: 'V1',
      team_id: FAKE_TEAM,
      type: 'modal',
      callback_id: v.callbackId,
      private_metadata: v.privateMetadata,
      title: { type: 'plain_text', text: 'Modal' },
      blocks: [],
      state: { values },
      hash: 'h',
      app_id: 'A0FAKE',
      bot_id: FAKE_BOT_ID,
    },
    response_urls: [],
  });
}
