/**
 * The HTTP side of the agent: the routers (API, dashboard, webhooks, the sandbox stand-ins), the OpenAPI document
 * generated from them, the Koa app, and the bound server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../persistence/db.ts';
import type { Inbox } from '../../persistence/inbox.ts';
import { createNeedsYou } from '../../persistence/needs-you.ts';
import type { Queries } from '../../persistence/queries.ts';
import type { SandboxSlack } from '../../services/chat/sandbox.ts';
import type { SandboxMailbox } from '../../services/mail/sandbox.ts';
import { createApp } from './app.ts';
import type { CampaignIntake } from '../runtime/campaign-intake.ts';
import { createCampaignPreview } from '../runtime/campaign-preview.ts';
import type { ClickUpIntake } from '../runtime/clickup-intake.ts';
import type { Commands } from '../runtime/commands.ts';
import type { Config } from '../config.ts';
import type { Host } from '../runtime/host.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { openApiRouter } from './openapi.ts';
import type { createReadiness } from '../observability/readiness.ts';
import { apiRouter } from './routes/api.ts';
import { dashboardRouter } from './routes/dashboard.ts';
import { sandboxRouter } from './routes/sandbox.ts';
import { webhookRouter } from './routes/webhooks.ts';
import type { SendQueue } from '../runtime/send-queue.ts';

/** Paths that need the bearer token once API_TOKEN is set (decisions D13). */
const PROTECTED_PREFIXES = ['/api/', '/sandbox/'];

export interface HttpDeps {
  config: Config;
  db: Db;
  host: Host;
  queries: Queries;
  commands: Commands;
  intake: CampaignIntake;
  inbox: Inbox;
  sendQueue: SendQueue;
  metrics: Metrics | null;
  readiness: ReturnType<typeof createReadiness>;
  changes: Parameters<typeof dashboardRouter>[0]['changes'];
  /** The Gmail push endpoint's verifier and parser, loaded only with live Gmail. */
  gmailKit: Pick<typeof import('./gmail-push.ts'), 'createPushVerifier' | 'parsePushBody'> | null;
  clickupIntake: ClickUpIntake | null;
  /** Stores new mail in the inbox and returns the function that hands it to the actors (after the ack). */
  receiveMail(negotiationId?: string): Promise<() => void>;
  /** The sandbox's clock and stand-ins; null in live mode, where every /sandbox/* is a 404. */
  sandbox: {
    mailbox: SandboxMailbox | null;
    slack: SandboxSlack | null;
    advanceClock(hours: number): { offsetHours: number; now: string };
  } | null;
  /** Middleware that reads the raw body first (the Slack receiver in HTTP mode). */
  rawMiddleware: Parameters<typeof createApp>[0]['rawMiddleware'];
  reportError: Parameters<typeof createApp>[0]['reportError'];
  logger: Logger;
}

export async function serveHttp(deps: HttpDeps): Promise<{ server: Server; url: string }> {
  const { config, host, queries, commands, sandbox } = deps;
  const push = config.mail.provider === 'gmail' ? config.mail.push : null;
  const routers = [
    apiRouter({
      db: deps.db,
      context: (id) => host.context(id),
      queries,
      commands,
      intake: deps.intake,
      preview: createCampaignPreview({ queries, paymentTerms: config.paymentTerms }),
      needsYou: createNeedsYou(deps.db),
      info: () => ({
        mode: config.mode,
        // /sandbox/* exists only in sandbox mode, each stand-in only when the real service is not configured
        sandbox: { mail: !!sandbox?.mailbox, slack: !!sandbox?.slack, clock: !!sandbox },
      }),
      metrics: deps.metrics,
      rawMail: (messageId) => deps.inbox.raw(messageId),
      sendQueue: deps.sendQueue,
      readiness: () => deps.readiness.checks(),
    }),
    dashboardRouter({ changes: deps.changes }),
    webhookRouter({
      gmailPush:
        deps.gmailKit && push
          ? {
              ...deps.gmailKit.createPushVerifier({
                audience: push.audience,
                serviceAccountEmail: push.serviceAccount,
                certsUrl: push.certsUrl,
              }),
              parse: deps.gmailKit.parsePushBody,
            }
          : null,
      agentEmail: config.agentEmail,
      receiveMail: () => deps.receiveMail(),
      logger: deps.logger,
      clickup:
        deps.clickupIntake && config.clickup ? { secret: config.clickup.secret, intake: deps.clickupIntake } : null,
    }),
    ...(sandbox
      ? [
          sandboxRouter({
            mailbox: sandbox.mailbox,
            slack: sandbox.slack,
            queries,
            commands,
            agentEmail: config.agentEmail,
            receiveMail: deps.receiveMail,
            advanceClock: (hours) => {
              const moved = sandbox.advanceClock(hours);
              host.timers.poke();
              deps.sendQueue.poke();
              return moved;
            },
          }),
        ]
      : []),
  ];
  routers.push(openApiRouter(routers, PROTECTED_PREFIXES)); // GET /api/v1/openapi.json, generated from these
  const app = createApp({
    logger: deps.logger,
    metrics: deps.metrics,
    apiTokens: config.apiTokens,
    bodyLimitBytes: config.bodyLimitBytes,
    routers,
    protectedPrefixes: PROTECTED_PREFIXES,
    rawMiddleware: deps.rawMiddleware,
    reportError: deps.reportError,
  });
  const server = app.listen(config.port, config.host);
  // A request Node's parser refuses (bad request line, huge headers) still gets a JSON 400, like every error.
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return;
    const body = JSON.stringify({
      error: { code: 'bad_request', message: `Malformed HTTP request: ${error.message}` },
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}` };
}
