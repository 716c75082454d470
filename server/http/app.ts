/** The Koa application: request id, logging, metrics, JSON errors, auth, body limits, then the routes. */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { describeError, isStorageError } from '../../persistence/db.ts';
import { DomainError } from '../../services/errors.ts';
import { HttpError, REFUSAL_STATUS } from './errors.ts';
import { type Logger, logContext } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The actor of API calls to a sandbox without tokens (nobody authenticated; loopback only). */
export const ANONYMOUS = 'api:anonymous';

export interface AppState {
  requestId: string;
  /** Who is calling, from authentication only (decisions D14, D19): "api", "api:<token name>" or ANONYMOUS. */
  actor: string;
  body: unknown;
  rawBody: Buffer | undefined;
}

export function createApp(deps: {
  logger: Logger;
  metrics: Metrics | null;
  /** Bearer tokens and who they are; none: an unauthenticated sandbox, its callers recorded as ANONYMOUS. */
  apiTokens: { actor: string; token: string }[];
  bodyLimitBytes: number;
  routers: Router[];
  protectedPrefixes: string[]; // bearer auth when tokens are configured (decisions D13)
  /** Unexpected errors (5xx) go here too, with the request id (Sentry when configured). */
  reportError?(error: unknown, tags: Record<string, string>): void;
  /** Handlers that read their own raw body (Slack's form-encoded, signed requests), before the JSON parser. */
  rawMiddleware?: Koa.Middleware<AppState>[];
}) {
  const app = new Koa<AppState>();
  app.proxy = false;
  // Errors Koa sees outside the middleware (a client that went away mid-body): logged, not printed to stderr.
  app.on('error', (error) => deps.logger.warn('http stream error', { error: String(error) }));
  const digest = (token: string) => createHash('sha256').update(token).digest();
  const tokens = deps.apiTokens.map((t) => ({ actor: t.actor, digest: digest(t.token) }));
  /** The actor of a bearer token, or null; every token is compared (in constant time), none is skipped. */
  const actorOf = (given: Buffer | null) => {
    let actor: string | null = null;
    for (const t of tokens) if (given && timingSafeEqual(given, t.digest) && actor === null) actor = t.actor;
    return actor;
  };

  // Request id on every response and log line; a valid incoming X-Request-Id is echoed.
  app.use(async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    await logContext.run({ request_id: requestId }, next);
  });

  // Access log + metrics (by route template, so ids do not explode label cardinality).
  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const labels = { method: ctx.method, route: String(route), status: String(ctx.status) };
      deps.metrics?.httpRequests.inc(labels);
      deps.metrics?.httpDuration.observe(labels, seconds);
      if (ctx.path !== '/health' && ctx.path !== '/metrics') {
        deps.logger.info('http', {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(seconds * 1000),
        });
      }
    }
  });

  // JSON errors: { error: { code, message } }; nothing internal leaks in a 5xx.
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined && ctx.status === 404)
        throw new HttpError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
      // an HTTP method no route knows (PROPFIND, TRACE, ...) is refused like any other wrong method
      if (ctx.body === undefined && (ctx.status === 405 || ctx.status === 501))
        throw new HttpError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (error) {
      if (isStorageError(error)) {
        // The database cannot take writes now (full disk, I/O error, lock): a temporary condition, not a bug.
        deps.logger.warn('request refused: database writes failing', { path: ctx.path, error: describeError(error) });
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = {
          error: {
            code: 'storage_unavailable',
            message: `The agent cannot write its database right now (${describeError(error)}); the request was not completed. Try again shortly.`,
          },
        };
        return;
      }
      const known = error instanceof HttpError || error instanceof DomainError;
      if (!known) {
        deps.logger.error('unhandled error', { error: String(error), stack: (error as Error)?.stack });
        deps.reportError?.(error, { request_id: ctx.state.requestId, route: ctx.path });
      }
      ctx.status =
        error instanceof DomainError ? REFUSAL_STATUS[error.kind] : error instanceof HttpError ? error.status : 500;
      ctx.body = {
        error: known
          ? { code: error.code, message: error.message }
          : { code: 'internal_error', message: 'Internal error' },
      };
    }
  });

  app.use(async (ctx, next) => {
    ctx.state.actor = ANONYMOUS;
    // Compared case-insensitively: the token must guard every spelling of a protected path.
    const path = ctx.path.toLowerCase();
    if (tokens.length && deps.protectedPrefixes.some((p) => path.startsWith(p))) {
      const match = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
      const actor = actorOf(match ? digest(match[1]) : null);
      if (!actor) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new HttpError(
          401,
          'unauthorized',
          'A valid bearer token is required (Authorization: Bearer <API_TOKEN>)',
        );
      }
      ctx.state.actor = actor;
    }
    await next();
  });

  for (const middleware of deps.rawMiddleware ?? []) app.use(middleware);

  // JSON bodies only, size-limited; the raw bytes are kept for signature checks.
  app.use(async (ctx, next) => {
    ctx.state.body = {};
    const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && ['POST', 'PUT', 'PATCH'].includes(ctx.method)) {
      if (!ctx.is('application/json'))
        throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
      let raw: Buffer;
      try {
        raw = await getRawBody(ctx.req, { limit: deps.bodyLimitBytes, length: ctx.get('Content-Length') || undefined });
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 413)
          throw new HttpError(413, 'payload_too_large', `Request body exceeds ${deps.bodyLimitBytes} bytes`);
        throw new HttpError(400, 'bad_request', 'Could not read the request body');
      }
      ctx.state.rawBody = raw;
      try {
        ctx.state.body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
      }
    }
    await next();
  });

  for (const router of deps.routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
