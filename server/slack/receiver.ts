/**
 * Slack over HTTP: a Bolt receiver fed by a Koa middleware on POST /slack/events. It reads the raw body itself,
 * verifies Slack's signature and the payload's shape, and only then hands the request to Bolt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Logger } from '../observability/logger.ts';

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
