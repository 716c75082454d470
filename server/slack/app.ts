/**
 * The Slack interaction layer (decisions D6, D8): the buttons of escalation messages, the "other amount" modal,
 * and /claim, /resume and /audit, as a Bolt app. Over HTTP, Slack posts to POST /slack/events, which reads the
 * raw body itself and verifies the signing secret before Bolt sees anything; Socket Mode uses Bolt's receiver.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import { format } from 'node:util';
import {
  App,
  type Logger as BoltLogger,
  type BlockAction,
  type ButtonAction,
  LogLevel,
  type Receiver,
  type ReceiverEvent,
  type RespondFn,
  SocketModeReceiver,
} from '@slack/bolt';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { ACTION_IDS, actionsBlockId, parseActionsBlockId } from '../../services/chat/messages.ts';
import { update } from '../../services/chat/slack.ts';
import { type Cents, formatUsd, moneyInput } from '../../services/money.ts';
import { DomainError } from '../../services/errors.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * What the server does for Slack; `slackUser` is the Slack user id (e.g. U123). Errors' messages are shown.
 * `escalation` is the escalation the clicked button was posted for (D19), when the button carries one.
 */
export interface SlackHandlers {
  approve(negotiationId: string, cents: Cents, slackUser: string, escalation?: number): Promise<unknown>;
  walkAway(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  takeOver(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  resume(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  /** /claim <negotiation id | thread id | email>: returns the confirmation shown to the user. */
  claim(ref: string, slackUser: string): Promise<string>;
  /** /resume <negotiation id | thread id | email>: returns the confirmation shown to the user. */
  resumeRef(ref: string, slackUser: string): Promise<string>;
  /** /audit <args>: returns the text shown to the user. */
  audit(query: string): Promise<string>;
  /** The configured approvers (a user group or list; empty = anyone in the workspace). */
  isAllowed(slackUser: string): boolean | Promise<boolean>;
}

export const APPROVE_MODAL = 'approve_other';
const AMOUNT_BLOCK = 'amount';

/** The block_id of a negotiation's actions block: the buttons say which negotiation (and escalation) they act on. */
export const negotiationBlockId = actionsBlockId;

/** "2,600", "$2600.5", "2600.50" -> cents, by the one money rule (moneyInput); else what to type instead. */
export function parseDollarsToCents(text: string): { cents: Cents } | { error: string } {
  const read = moneyInput(text, { plain: true });
  return 'error' in read ? { error: `${read.error}: enter an amount in US dollars, like 2,600 or 2600.50` } : read;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

const section = (text: string, blockId?: string) => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

/** The message after a decision: the negotiation's buttons replaced by who decided what (and what can follow). */
export function decidedBlocks(blocks: unknown[], negotiationId: string, decision: string, next: unknown[] = []) {
  const isOurs = (b: unknown) => {
    const id = (b as { block_id?: string }).block_id;
    return id === `decision:${negotiationId}` || parseActionsBlockId(id)?.negotiationId === negotiationId;
  };
  const at = blocks.findIndex(isOurs);
  const kept = blocks.filter((b) => !isOurs(b));
  const insertAt = at < 0 ? kept.length : at;
  return [...kept.slice(0, insertAt), section(decision, `decision:${negotiationId}`), ...next, ...kept.slice(insertAt)];
}

const resumeButtons = (negotiationId: string, escalation: number | null) => ({
  type: 'actions',
  block_id: negotiationBlockId(negotiationId, escalation),
  elements: [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Resume agent' },
      action_id: ACTION_IDS.resumeAgent,
      value: negotiationId,
    },
  ],
});

interface ModalContext {
  negotiationId: string;
  channel: string;
  ts: string;
  escalation?: number; // the escalation whose "Other amount…" button opened it (D19)
}

function approveModal(ctx: ModalContext, suggested: Cents | null) {
  return {
    type: 'modal' as const,
    callback_id: APPROVE_MODAL,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text' as const, text: 'Approve an amount' },
    submit: { type: 'plain_text' as const, text: 'Approve' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: AMOUNT_BLOCK,
        label: { type: 'plain_text' as const, text: 'Counter offer (US dollars)' },
        hint: { type: 'plain_text' as const, text: 'The agent emails a counter at exactly this amount.' },
        // Plain text rather than number_input: people type "2,600"; the server parses it exactly either way.
        element: {
          type: 'plain_text_input' as const,
          action_id: AMOUNT_BLOCK,
          placeholder: { type: 'plain_text' as const, text: 'e.g. 2,600 or 2600.50' },
          ...(suggested ? { initial_value: formatUsd(suggested) } : {}),
        },
      },
    ],
  };
}

function readModalContext(privateMetadata: string): ModalContext | null {
  try {
    const ctx = JSON.parse(privateMetadata) as Partial<ModalContext>;
    if (ctx.escalation !== undefined && !(Number.isSafeInteger(ctx.escalation) && ctx.escalation > 0)) return null;
    return ctx.negotiationId && ctx.channel && ctx.ts ? (ctx as ModalContext) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Bolt app

type Decision = 'approve' | 'walk_away' | 'take_over' | 'resume_agent';

export interface SlackAppOptions {
  signingSecret?: string; // required for mode 'http'
  botToken: string;
  appToken?: string; // required for mode 'socket' (xapp-…)
  mode: 'http' | 'socket';
  handlers: SlackHandlers;
  logger: Logger;
  clientOptions?: WebClientOptions; // e.g. slackClientOptions(SLACK_API_URL)
  /** From verifyAuth at startup; without them Bolt calls auth.test for every incoming request. */
  botId?: string;
  botUserId?: string;
  bodyLimitBytes?: number;
}

export function createSlackApp(options: SlackAppOptions) {
  const { handlers, logger } = options;
  const boltLog = boltLogger(logger);
  let receiver: SlackKoaReceiver | SocketModeReceiver;
  if (options.mode === 'http') {
    if (!options.signingSecret) throw new Error('Slack over HTTP needs SLACK_SIGNING_SECRET');
    receiver = createKoaReceiver({
      signingSecret: options.signingSecret,
      logger,
      bodyLimitBytes: options.bodyLimitBytes,
    });
  } else {
    if (!options.appToken) throw new Error('Slack Socket Mode needs SLACK_APP_TOKEN');
    receiver = new SocketModeReceiver({ appToken: options.appToken, logger: boltLog });
  }
  const app = new App({
    token: options.botToken,
    botId: options.botId,
    botUserId: options.botUserId,
    tokenVerificationEnabled: false, // no auth.test in the constructor: verifyAuth reports a bad token at startup
    receiver,
    logger: boltLog,
    clientOptions: { ...options.clientOptions },
    convoStore: false,
  });
  app.error(async (error) => {
    logger.error('slack: listener failed', { error: error.message, stack: error.stack });
  });

  const failureText = (error: unknown) => {
    if (error instanceof DomainError) return error.message; // a refusal: its message says why
    logger.error('slack: handler failed', { error: String(error), stack: (error as Error)?.stack });
    return 'Something went wrong; the error was logged';
  };

  async function allowed(user: string): Promise<boolean> {
    try {
      return await handlers.isAllowed(user);
    } catch (error) {
      logger.error('slack: isAllowed failed', { error: String(error) });
      return false;
    }
  }

  /** Ephemeral to the clicking user: via response_url when there is one, else chat.postEphemeral. */
  async function tell(
    to: { respond?: RespondFn; client: WebClient; channel?: string; user: string },
    text: string,
  ): Promise<void> {
    try {
      if (to.respond) await to.respond({ response_type: 'ephemeral', replace_original: false, text });
      else if (to.channel) await to.client.chat.postEphemeral({ channel: to.channel, user: to.user, text });
    } catch (error) {
      logger.warn('slack: could not send an ephemeral reply', { error: String(error) });
    }
  }

  async function decide(
    kind: Decision,
    d: {
      negotiationId: string;
      escalation: number | null;
      user: string;
      cents?: Cents;
      client: WebClient;
      channel: string | undefined;
      ts: string | undefined;
      original: { text?: string; blocks?: unknown[] } | null;
      respond?: RespondFn;
    },
  ) {
    const to = { respond: d.respond, client: d.client, channel: d.channel, user: d.user };
    if (!(await allowed(d.user))) {
      await tell(to, 'You are not allowed to act on negotiations (ask an admin to add you to the approvers).');
      return;
    }
    const mention = `<@${d.user}>`;
    const escalation = d.escalation ?? undefined;
    let decision: string;
    let next: unknown[] = [];
    try {
      switch (kind) {
        case 'approve':
          await handlers.approve(d.negotiationId, d.cents as Cents, d.user, escalation);
          decision = `:white_check_mark: Approved at ${formatUsd(d.cents as Cents)} by ${mention}`;
          break;
        case 'walk_away':
          await handlers.walkAway(d.negotiationId, d.user, escalation);
          decision = `:no_entry_sign: Walked away by ${mention}`;
          break;
        case 'take_over':
          await handlers.takeOver(d.negotiationId, d.user, escalation);
          decision = `:raising_hand: Taken over by ${mention}: the agent no longer answers this negotiation`;
          next = [resumeButtons(d.negotiationId, d.escalation)];
          break;
        case 'resume_agent':
          await handlers.resume(d.negotiationId, d.user, escalation);
          decision = `:robot_face: Agent resumed by ${mention}`;
          break;
      }
    } catch (error) {
      const verb = { approve: 'approve', walk_away: 'walk away', take_over: 'take over', resume_agent: 'resume' }[kind];
      await tell(to, `Could not ${verb}: ${failureText(error)}`);
      return;
    }
    if (!d.channel || !d.ts) return;
    const original = d.original ?? (await fetchMessage(d.client, d.channel, d.ts));
    try {
      await update(
        d.client,
        d.channel,
        d.ts,
        original?.text || decision,
        decidedBlocks(original?.blocks ?? [], d.negotiationId, decision, next),
      );
    } catch (error) {
      logger.warn('slack: could not update the message', { error: String(error) });
      await tell(to, `${decision} (the message could not be updated)`);
    }
  }

  /** The message a modal was opened from (private_metadata cannot carry its blocks). */
  async function fetchMessage(client: WebClient, channel: string, ts: string) {
    try {
      const top = await client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
      const found = top.messages?.find((m) => m.ts === ts);
      if (found) return { text: found.text, blocks: found.blocks as unknown[] | undefined };
      const thread = await client.conversations.replies({ channel, ts, inclusive: true, limit: 1 });
      const reply = thread.messages?.find((m) => m.ts === ts);
      return reply ? { text: reply.text, blocks: reply.blocks as unknown[] | undefined } : null;
    } catch (error) {
      logger.warn('slack: could not read the message to update', { error: String(error) });
      return null;
    }
  }

  const buttons: [string, Decision][] = [
    [ACTION_IDS.approve, 'approve'],
    [ACTION_IDS.walkAway, 'walk_away'],
    [ACTION_IDS.takeOver, 'take_over'],
    [ACTION_IDS.resumeAgent, 'resume_agent'],
  ];
  for (const [actionId, kind] of buttons) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      const user = body.user.id;
      const target = parseActionsBlockId(action.block_id);
      if (!target) return tell({ respond, client, user }, 'This button does not belong to a negotiation.');
      let cents: Cents | undefined;
      if (kind === 'approve') {
        cents = /^\d{1,15}$/.test(action.value ?? '') ? Number(action.value) : undefined;
        if (!cents) return tell({ respond, client, user }, 'This approve button carries no amount.');
      }
      await decide(kind, {
        ...target,
        user,
        cents,
        client,
        channel: body.channel?.id ?? body.container?.channel_id,
        ts: body.message?.ts ?? body.container?.message_ts,
        original: body.message ? { text: body.message.text, blocks: body.message.blocks } : null,
        respond,
      });
    });
  }

  // "Other amount": a modal with one amount field, opened from the escalation message.
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approveOther, async ({ ack, body, action, client, respond }) => {
    await ack();
    const user = body.user.id;
    const target = parseActionsBlockId(action.block_id);
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    if (!target || !channel || !ts) {
      return tell({ respond, client, user }, 'This button does not belong to a negotiation message.');
    }
    if (!(await allowed(user))) {
      return tell({ respond, client, user }, 'You are not allowed to approve negotiations.');
    }
    const suggested = /^\d{1,15}$/.test(action.value ?? '') ? Number(action.value) : null;
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: approveModal(
          {
            negotiationId: target.negotiationId,
            channel,
            ts,
            ...(target.escalation ? { escalation: target.escalation } : {}),
          },
          suggested,
        ),
      });
    } catch (error) {
      logger.warn('slack: could not open the amount modal', { error: String(error) });
      await tell({ respond, client, user }, 'Could not open the amount dialog; try again.');
    }
  });

  app.view(APPROVE_MODAL, async ({ ack, body, view, client }) => {
    const typed = view.state.values[AMOUNT_BLOCK]?.[AMOUNT_BLOCK]?.value ?? '';
    const parsed = parseDollarsToCents(typed);
    if ('error' in parsed) {
      await ack({ response_action: 'errors', errors: { [AMOUNT_BLOCK]: parsed.error } });
      return;
    }
    await ack(); // closes the modal; the outcome shows on the message or as an ephemeral reply
    const ctx = readModalContext(view.private_metadata);
    if (!ctx) {
      logger.warn('slack: amount modal without its negotiation', { privateMetadata: view.private_metadata });
      return;
    }
    await decide('approve', {
      negotiationId: ctx.negotiationId,
      escalation: ctx.escalation ?? null,
      user: body.user.id,
      cents: parsed.cents,
      client,
      channel: ctx.channel,
      ts: ctx.ts,
      original: null,
    });
  });

  const commands: [string, string, (text: string, user: string) => Promise<string>][] = [
    ['/claim', 'Usage: /claim <negotiation id | thread id | email>', (t, u) => handlers.claim(t, u)],
    ['/resume', 'Usage: /resume <negotiation id | thread id | email>', (t, u) => handlers.resumeRef(t, u)],
    ['/audit', '', (t) => handlers.audit(t)],
  ];
  for (const [name, usage, run] of commands) {
    app.command(name, async ({ ack, command, respond, client }) => {
      await ack();
      const user = command.user_id;
      const text = command.text.trim();
      const to = { respond, client, channel: command.channel_id, user };
      if (usage && !text) return tell(to, usage);
      if (!(await allowed(user))) return tell(to, `You are not allowed to use ${name}.`);
      let reply: string;
      try {
        reply = await run(text, user);
      } catch (error) {
        reply = `${name} failed: ${failureText(error)}`;
      }
      await tell(to, reply.length > 39_000 ? `${reply.slice(0, 39_000)}\n…(truncated)` : reply);
    });
  }

  return {
    app,
    receiver,
    /** POST /slack/events in HTTP mode; null in Socket Mode. Mount it before any body parser. */
    middleware: 'handle' in receiver ? slackKoaMiddleware(receiver) : null,
    /** Socket Mode connects here; HTTP mode has nothing to start (the Koa server receives). */
    async start() {
      if (options.mode === 'socket') await app.start();
    },
    /** Stops Socket Mode, or waits for clicks still being handled after their acknowledgement. */
    async stop() {
      await app.stop();
    },
  };
}

export type SlackApp = ReturnType<typeof createSlackApp>;

/** Bolt's logger interface over the service's winston logger. */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (msg: unknown[]) => `slack: ${format(...msg)}`;
  return {
    debug: (...msg) => logger.debug(line(msg)),
    info: (...msg) => logger.info(line(msg)),
    warn: (...msg) => logger.warn(line(msg)),
    error: (...msg) => logger.error(line(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: a Bolt receiver fed by a Koa middleware

const MAX_SKEW_SECONDS = 5 * 60;

/** Slack's v0 signature: HMAC-SHA256 over `v0:{timestamp}:{raw body}`; returns why it fails, or null. */
export function signatureProblem(input: {
  signingSecret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
}): string | null {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'Missing or invalid X-Slack-Request-Timestamp';
  const skew = Math.abs(Math.floor((input.nowMs ?? Date.now()) / 1000) - Number(timestamp));
  if (skew > MAX_SKEW_SECONDS) return 'Stale request: X-Slack-Request-Timestamp is more than 5 minutes away';
  const match = /^v0=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!match) return 'Missing or malformed X-Slack-Signature';
  const expected = createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:`).update(input.rawBody).digest();
  if (!timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) return 'X-Slack-Signature does not match';
  return null;
}

function parseSlackBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const fields = parseQuery(raw);
    // Interactivity posts one JSON `payload` field; slash commands post plain fields.
    if (typeof fields.payload === 'string') return JSON.parse(fields.payload);
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  }
  return raw ? JSON.parse(raw) : {};
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Signed is not the same as well formed: only the shapes this app handles reach Bolt (a malformed one is a 400,
 * never a 500 that Slack would retry).
 */
function shapeProblem(body: unknown): string | null {
  if (!isObject(body)) return 'The Slack payload is not an object';
  if (body.ssl_check || body.type === 'url_verification') return null;
  if (typeof body.command === 'string') {
    return typeof body.user_id === 'string' ? null : 'A slash command without user_id';
  }
  const user = isObject(body.user) && typeof body.user.id === 'string';
  switch (body.type) {
    case 'block_actions':
      return user && Array.isArray(body.actions) && body.actions.every(isObject) ? null : 'Malformed block_actions';
    case 'view_submission':
      return user && isObject(body.view) && isObject(body.view.state) ? null : 'Malformed view_submission';
    case 'event_callback':
      return isObject(body.event) ? null : 'Malformed event_callback';
    default:
      return `Unsupported Slack payload type ${JSON.stringify(body.type ?? null).slice(0, 60)}`;
  }
}

export interface SlackKoaReceiver extends Receiver {
  /** Verifies, parses and dispatches one request; answers when a listener acknowledges it. */
  handle(ctx: Koa.Context): Promise<void>;
}

const jsonError = (ctx: Koa.Context, status: number, code: string, message: string) => {
  ctx.status = status;
  ctx.body = { error: { code, message } };
};

export function createKoaReceiver(opts: {
  signingSecret: string;
  logger: Logger;
  bodyLimitBytes?: number;
  now?: () => number;
}): SlackKoaReceiver {
  let app: App | undefined;
  const inFlight = new Set<Promise<void>>(); // listeners keep working after their ack

  return {
    init(a: App) {
      app = a;
    },
    async start() {},
    async stop() {
      await Promise.allSettled([...inFlight]);
    },
    async handle(ctx) {
      let raw: Buffer;
      try {
        raw = await getRawBody(ctx.req, {
          limit: opts.bodyLimitBytes ?? 1_000_000,
          length: ctx.get('Content-Length') || undefined,
        });
      } catch (error) {
        if ((error as { status?: number }).status === 413) {
          return jsonError(ctx, 413, 'payload_too_large', 'The Slack request body is too large');
        }
        return jsonError(ctx, 400, 'bad_request', 'Could not read the request body');
      }
      const problem = signatureProblem({
        signingSecret: opts.signingSecret,
        rawBody: raw,
        timestamp: ctx.get('X-Slack-Request-Timestamp') || undefined,
        signature: ctx.get('X-Slack-Signature') || undefined,
        nowMs: opts.now?.(),
      });
      if (problem) {
        opts.logger.warn('slack: rejected a request', { reason: problem });
        return jsonError(ctx, 401, 'bad_signature', problem);
      }
      let body: Record<string, unknown>;
      try {
        body = parseSlackBody(raw.toString('utf8'), ctx.get('Content-Type'));
      } catch {
        return jsonError(ctx, 400, 'bad_request', 'The Slack request body could not be parsed');
      }
      const shape = shapeProblem(body);
      if (shape) return jsonError(ctx, 400, 'unsupported_payload', shape);
      if (body.ssl_check) {
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      if (body.type === 'url_verification') {
        ctx.body = { challenge: body.challenge };
        return;
      }
      if (!app) return jsonError(ctx, 503, 'not_ready', 'Slack is not initialised yet');
      const response = await dispatch(app, body, ctx);
      ctx.status = response.status;
      ctx.body = response.body;
    },
  };

  function dispatch(bolt: App, body: Record<string, unknown>, ctx: Koa.Context) {
    return new Promise<{ status: number; body: unknown }>((resolve) => {
      let acked = false;
      const event: ReceiverEvent = {
        body,
        retryNum: Number(ctx.get('X-Slack-Retry-Num')) || undefined,
        retryReason: ctx.get('X-Slack-Retry-Reason') || undefined,
        ack: async (response?: unknown) => {
          if (acked) throw new Error('ack() was called more than once');
          acked = true;
          // A string or nothing is a plain 200; an object (e.g. modal field errors) is JSON.
          resolve({ status: 200, body: response == null ? '' : response });
        },
      };
      const processing = bolt.processEvent(event).then(
        () => {
          if (!acked) resolve({ status: 404, body: { error: { code: 'not_handled', message: 'No Slack listener' } } });
        },
        (error) => {
          opts.logger.error('slack: processing failed', { error: String(error), stack: (error as Error)?.stack });
          if (!acked) resolve({ status: 500, body: { error: { code: 'internal_error', message: 'Internal error' } } });
        },
      );
      inFlight.add(processing);
      processing.finally(() => inFlight.delete(processing));
    });
  }
}

/** The Koa middleware for POST /slack/events; other paths pass through. Mount before any body parser. */
export function slackKoaMiddleware(receiver: SlackKoaReceiver, path = '/slack/events'): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      return jsonError(ctx, 405, 'method_not_allowed', `${ctx.method} is not allowed on ${path}`);
    }
    await receiver.handle(ctx);
  };
}
