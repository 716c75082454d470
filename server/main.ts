/**
 * The composition root: config -> database -> adapters -> effects -> actor host -> HTTP server.
 * `node server/main.ts` (npm start) runs the service; tests start it in-process with `startAgent`.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type NegotiationEmitted, negotiationMachine } from '../machines/negotiation.ts';
import { type Db, isStorageError, openDatabase } from '../persistence/db.ts';
import { createInbox } from '../persistence/inbox.ts';
import { databaseBytes, INLINE_CHECK_MAX_BYTES, quickCheckInBackground } from '../persistence/integrity.ts';
import { lockDataDir } from '../persistence/lock.ts';
import { createJournal } from '../persistence/journal.ts';
import { createNeedsYou } from '../persistence/needs-you.ts';
import { createQueries } from '../persistence/queries.ts';
import { createStore } from '../persistence/store.ts';
import { queryTimeline } from '../persistence/timeline.ts';
import { noticeMessage } from '../services/chat/messages.ts';
import type { ChatPort } from '../services/chat/port.ts';
import { createSandboxSlack } from '../services/chat/sandbox.ts';
import { createSheetMonitor, describeChange, sqliteSnapshotStore } from '../services/sheet-monitor.ts';
import type { MailPort } from '../services/mail/port.ts';
import { createSandboxMailbox } from '../services/mail/sandbox.ts';
import { slackAudit } from '../persistence/audit.ts';
import { loadKnowledgeBase } from '../services/knowledge.ts';
import { loadTriggerConfig } from '../services/triggers.ts';
import { createOfflineNegotiator } from '../services/model/offline.ts';
import type { ModelPort } from '../services/model/port.ts';
import { agentClock } from '../services/sandbox/clock.ts';
import { openSandboxDb } from '../services/sandbox/db.ts';
import { sandboxCrashPoints } from '../services/sandbox/crash-points.ts';
import { sandboxFaults } from '../services/sandbox/faults.ts';
import type { DomainState } from '../services/domain.ts';
import { createCsvSheet } from '../services/sheets/csv.ts';
import { createApp } from './app.ts';
import { createCampaignIntake } from './campaign-intake.ts';
import { createCampaignPreview } from './campaign-preview.ts';
import { createChatOutbox } from './chat-outbox.ts';
import { createClickUpIntake } from './clickup-intake.ts';
import { createCommands } from './commands.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createEffects } from './effects.ts';
import { createHost } from './host.ts';
import { createInspection } from './inspect.ts';
import { createErrorReporter } from './sentry.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailIntake } from './mail-intake.ts';
import { createMetrics } from './metrics.ts';
import { createRuntimeNotices } from './notices.ts';
import { createReadiness } from './readiness.ts';
import { openApiRouter } from './openapi.ts';
import { apiRouter } from './routes/api.ts';
import { dashboardRouter, type NegotiationChange } from './routes/dashboard.ts';
import { sandboxRouter } from './routes/sandbox.ts';
import { webhookRouter } from './routes/webhooks.ts';
import { createScheduler } from './scheduler.ts';

export interface Agent {
  url: string;
  server: Server;
  bootStats: { restored: number; redelivered: number; caughtUp: number; readyMs: number };
  close(): Promise<void>;
}

/** Paths that need the bearer token once API_TOKEN is set (decisions D13). */
const PROTECTED_PREFIXES = ['/api/', '/sandbox/'];

export interface AgentOptions {
  logger?: Logger;
  /** Test seam: wraps the provided machine (e.g. to inject a failing action). */
  adaptMachine?: (machine: typeof negotiationMachine) => typeof negotiationMachine;
  /** Test seam: the agent's own database connection (e.g. to make it full, as a full disk would). */
  onDatabase?: (db: Db) => void;
}

/** The live adapters, loaded only when configured: a sandbox does not pay for them in start time or memory. */
const loadGmail = async () => ({
  ...(await import('./gmail.ts')),
  ...(await import('../services/mail/gmail.ts')),
  ...(await import('./gmail-push.ts')),
});
const loadSlack = async () => ({
  ...(await import('@slack/web-api')),
  ...(await import('../services/chat/slack.ts')),
  ...(await import('./slack-app.ts')),
  ...(await import('./slack-handlers.ts')),
});

export async function startAgent(given: Config, options: AgentOptions = {}): Promise<Agent> {
  const opened: (() => unknown)[] = []; // what a start that fails half-way closes again (the lock last)
  try {
    return await assemble(given, options, opened);
  } catch (error) {
    for (const close of opened.reverse()) {
      try {
        await close();
      } catch {}
    }
    throw error;
  }
}

async function assemble(given: Config, options: AgentOptions, opened: (() => unknown)[]): Promise<Agent> {
  const logger = options.logger ?? createLogger(given.logLevel);
  const started = performance.now();
  const gmailKit = given.mail.provider === 'gmail' ? await loadGmail() : null;
  const slackKit = given.chat.provider === 'slack' ? await loadSlack() : null;
  // Live mail first: the credentials are checked and the agent's own address read before anything is opened.
  const gmail =
    gmailKit && given.mail.provider === 'gmail'
      ? await gmailKit.connectGmail(given.mail).catch((error: Error) => {
          throw new ConfigError([error.message]);
        })
      : null;
  if (gmail && given.env.AGENT_EMAIL && given.env.AGENT_EMAIL.toLowerCase() !== gmail.agentEmail) {
    logger.warn('AGENT_EMAIL differs from the Gmail mailbox; using the mailbox address', { mailbox: gmail.agentEmail });
  }
  const config: Config = { ...given, agentEmail: gmail?.agentEmail ?? given.agentEmail };
  const googleSheets = config.sheets.google
    ? await (await import('./sheets.ts')).connectSheets(config.sheets.google, config)
    : null;
  // Live Slack: the bot token is checked (auth.test) before anything is opened.
  const slackClient =
    slackKit && config.chat.provider === 'slack'
      ? new slackKit.WebClient(config.chat.botToken, slackKit.slackClientOptions(config.chat.apiUrl))
      : null;
  const slackAuth =
    slackKit && slackClient
      ? await slackKit.verifyAuth(slackClient).catch((error: Error) => {
          throw new ConfigError([error.message]);
        })
      : null;
  // The brain first: a bad knowledge base or model id stops the start before anything is opened.
  const knowledge = loadKnowledgeBase(config.kbDir, (message) => logger.warn(message));
  const triggers = loadTriggerConfig(config.triggersFile);
  const faults = sandboxFaults(config); // test only: SANDBOX_FAULTS
  opened.push(() => faults.stop());
  let model: ModelPort = faults.model(createOfflineNegotiator());
  if (config.model.provider === 'anthropic') {
    const { createAnthropicNegotiator } = await import('../services/model/anthropic.ts');
    const claude = createAnthropicNegotiator(config.model.settings, {
      knowledge,
      onCall: (call) => metrics?.observeModelCall(call),
    });
    await claude.checkModels().catch((error: Error) => {
      throw new ConfigError([error.message]);
    });
    model = claude;
  }
  // One writer per data directory (D17): a second agent stops here, naming the running one.
  const lock = lockDataDir(config.dataDir);
  opened.push(() => lock.release());
  const dbFile = join(config.dataDir, 'agent.db');
  const db = openDatabase(dbFile, config.sqliteSynchronous);
  opened.push(() => db.close());
  const integrity = databaseBytes(db) > INLINE_CHECK_MAX_BYTES ? quickCheckInBackground(dbFile) : null;
  opened.push(() => integrity?.stop());
  options.onDatabase?.(db);
  const sandboxDb = openSandboxDb(join(config.dataDir, 'sandbox.db'));
  opened.push(() => sandboxDb.close());
  const { clock, advance: advanceClock } = agentClock(sandboxDb, config.mode, (offsetHours) =>
    logger.warn('sandbox clock offset ignored in live mode', { offsetHours }),
  );
  const crashes = sandboxCrashPoints(config); // test only: SANDBOX_CRASH_POINT, decorators around the ports

  const sandboxMailbox = gmail ? null : createSandboxMailbox(sandboxDb, clock, faults.mail(sandboxDb));
  const mailbox: MailPort =
    gmail && gmailKit ? gmailKit.createGmailMailbox({ gmail: gmail.gmail, clock }) : (sandboxMailbox as MailPort);
  const watchKeeper =
    gmail && gmailKit && config.mail.provider === 'gmail'
      ? gmailKit.createWatchKeeper({ gmail: gmail.gmail, topic: config.mail.topic, db, clock, logger })
      : null;
  const sandboxSlack = slackClient ? null : createSandboxSlack(sandboxDb, clock, faults.chat());
  const chat: ChatPort =
    slackKit && slackClient
      ? slackKit.createSlackChat({
          client: slackClient,
          onRefused: (key, code) =>
            logger.warn('slack refused a message; its plain-text version was posted', { key, code }),
        })
      : (sandboxSlack as ChatPort);
  const sheets = googleSheets ?? createCsvSheet(config.sheets.dir, config.sheets.masterTab);

  // Every persisted transition, for the dashboard's live updates.
  const changes = new EventEmitter<{ negotiation: [NegotiationChange] }>();
  changes.setMaxListeners(0);
  const journal = createJournal(db);
  const inbox = createInbox(db);
  const store = createStore(db, config.policy, journal, inbox);
  const queries = createQueries(db);
  const metrics = config.enableMetrics ? createMetrics(db) : null;

  let publicUrl = config.publicUrl ?? ''; // set once the server is bound when not configured
  const outbox = createChatOutbox({ db, chat, clock, logger, retryMs: config.chatRetryMs });
  const effects = createEffects({
    outbox,
    linkFor: (id) => `${publicUrl}/dashboard#n=${encodeURIComponent(id)}`, // the dashboard's view (D19)
    completed: (effect, result) => host.completed(effect, result),
    durable: () => host.durable(),
    journal,
    queries,
    model,
    triggers,
    mail: crashes.mail(mailbox),
    chat,
    clock,
    config,
    conversation: (negotiationId) =>
      queryTimeline(db, { negotiationId, types: ['email_sent', 'email_received'], order: 'desc', limit: 6 })
        .reverse()
        .map((e) => ({ direction: e.type === 'email_sent' ? 'out' : 'in', text: String(e.data.text ?? ''), at: e.at })),
    onFailure: (kind, error) => {
      metrics?.effectFailures.inc({ kind });
      logger.error('effect failed after every retry', { kind, error: String(error) });
    },
    onRetry: (kind, error) => {
      metrics?.effectRetries.inc({ kind });
      logger.warn('effect failed, retrying', { kind, error: String(error) });
    },
  });
  const provided = negotiationMachine.provide({ actors: effects });
  const machine = options.adaptMachine ? options.adaptMachine(provided) : provided;

  const notices = createRuntimeNotices({
    chat,
    outbox,
    channel: config.slack.escalationChannel,
    clock,
    logger,
    dbFile,
  });
  const scheduler = createScheduler({ db, clock, logger, fire: (id, at) => host.send(id, { type: 'TIMEOUT', at }) });
  opened.push(() => scheduler.stop());
  const inspection = await createInspection(config.inspect, logger);
  const errors = await createErrorReporter(config.sentryDsn, config.mode);
  const host = createHost({
    inspect: inspection?.inspect,
    db,
    store,
    inbox,
    journal,
    machine,
    clock,
    logger,
    policy: config.policy,
    cacheSize: config.actorCacheSize,
    onDeadlineChange: () => scheduler.poke(),
    onDropped: (id) => scheduler.retry(id),
    onPersist: crashes.afterPersist((id: string, from: DomainState, to: DomainState, emitted: NegotiationEmitted[]) => {
      metrics?.observe(from, to, emitted);
      changes.emit('negotiation', { id, from, to, at: clock.iso() });
    }),
    onFailure: (id, message, parked, cause) => {
      metrics?.actorFailures.inc({ parked: String(parked) });
      errors.capture(new Error(message), { negotiation_id: id, parked: String(parked) });
      notices.failure(id, message, parked, cause);
    },
    onStorage: (problem) => notices.storage(problem),
  });
  opened.push(() => host.shutdown());
  const mailIntake = createMailIntake({
    db,
    mail: mailbox,
    inbox,
    queries,
    clock,
    agentEmail: config.agentEmail,
    logger,
  });
  const commands = createCommands({ host, queries, db, clock });
  const snapshots = sqliteSnapshotStore(db);
  const intake = createCampaignIntake({
    db,
    queries,
    host,
    sheets,
    chat,
    clock,
    logger,
    config,
    onSheetIngested: (id, sheet, outcome) => monitor.recordIngestion(id, sheet, outcome),
  });
  // Every campaign whose rows came from the sheet (it has a snapshot) is watched for new and changed rows.
  const monitor = createSheetMonitor({
    sheets,
    snapshots,
    logger,
    campaigns: () =>
      snapshots.campaignIds().flatMap((id) => {
        const definition = queries.campaignDefinition(id);
        return definition ? [{ id, sheetTab: definition.sheetTab ?? null, sheetId: definition.sheetId ?? null }] : [];
      }),
    startRows: (id, rows) => intake.startRows(id, rows),
    alert: async (id, changes) => {
      await chat.post({
        key: `sheet-changes:${id}:${createHash('sha256').update(JSON.stringify(changes)).digest('hex').slice(0, 16)}`,
        channel: config.slack.escalationChannel,
        kind: 'notice',
        negotiationId: null,
        threadTs: null,
        ...noticeMessage(`Sheet rows changed for campaign ${id}`, changes.map(describeChange)),
      });
    },
  });
  const clickupIntake = config.clickup
    ? createClickUpIntake({
        db,
        settings: config.clickup,
        intake,
        chat,
        channel: config.slack.escalationChannel,
        clock,
        logger,
      })
    : null;
  const slackApp =
    slackKit && slackClient && slackAuth && config.chat.provider === 'slack'
      ? slackKit.createSlackApp({
          mode: config.chat.appToken ? 'socket' : 'http',
          signingSecret: config.chat.signingSecret,
          botToken: config.chat.botToken,
          appToken: config.chat.appToken,
          clientOptions: slackKit.slackClientOptions(config.chat.apiUrl),
          botId: slackAuth.bot_id,
          botUserId: slackAuth.user_id,
          bodyLimitBytes: config.bodyLimitBytes,
          logger,
          handlers: slackKit.createSlackHandlers({
            commands,
            queries,
            db,
            client: slackClient,
            approvers: config.chat.approvers,
            audit: (database, text) => slackAudit(database, text, clock.now()),
          }),
        })
      : null;

  /** Reads new mail into the inbox (durable before any acknowledgement); the result hands it to the actors. */
  const receiveMail = crashes.acknowledged(async (negotiationId?: string): Promise<() => void> => {
    const stored = await mailIntake.pull();
    return () => {
      // Draining (not just the new rows) also picks up anything an earlier hand-over missed, in order.
      const ids = new Set(stored.map((m) => m.negotiationId));
      if (negotiationId) ids.add(negotiationId);
      for (const id of ids) host.drain(id);
    };
  });

  // Boot: catch up on mail that arrived while down, restart in-flight work, re-deliver the inbox, re-arm timers.
  // A database that cannot be written now does not stop the start: the mail is read again on the next pull.
  const caughtUp = (
    await mailIntake.pull().catch((error) => {
      if (!isStorageError(error)) throw error;
      logger.error('mail catch-up not stored (database writes failing)', { error: String(error) });
      return [];
    })
  ).length;
  const { restored, redelivered } = host.boot(queries.busyIds());
  scheduler.poke();
  await watchKeeper?.start();
  await slackApp?.start(); // Socket Mode connects here; HTTP mode is served by the app below
  clickupIntake?.start(); // deliveries left pending by an outage or a crash
  outbox.start();
  if (config.sheets.pollMs > 0) monitor.start(config.sheets.pollMs);
  // With Gmail, a periodic pull backs up the pushes: a lost notification delays a reply, never loses it.
  const poll =
    config.mail.provider === 'gmail'
      ? setInterval(() => {
          receiveMail()
            .then((handOver) => handOver())
            .catch((error) => logger.error('mail poll failed', { error: String(error) }));
        }, config.mail.pollMs).unref()
      : undefined;

  const readiness = createReadiness({
    db,
    file: dbFile,
    dataDir: config.dataDir,
    integrations: (): Record<string, string> => {
      const watch = watchKeeper?.status();
      return watch ? { gmailWatch: watch } : {};
    },
    backgroundCheck: integrity?.result,
    onDamage: (problem) => {
      logger.error('the database is damaged', { file: dbFile, problem });
      notices.damage(problem);
    },
  });
  const routers = [
    apiRouter({
      db,
      context: (id) => host.context(id),
      queries,
      commands,
      intake,
      preview: createCampaignPreview({ queries, paymentTerms: config.paymentTerms }),
      needsYou: createNeedsYou(db),
      info: () => ({
        mode: config.mode,
        // /sandbox/* exists only in sandbox mode, each stand-in only when the real service is not configured
        sandbox: {
          mail: !!advanceClock && !!sandboxMailbox,
          slack: !!advanceClock && !!sandboxSlack,
          clock: !!advanceClock,
        },
      }),
      metrics,
      rawMail: (messageId) => inbox.raw(messageId),
      readiness: () => readiness.checks(),
    }),
    dashboardRouter({ changes }),
    webhookRouter({
      gmailPush:
        gmailKit && config.mail.provider === 'gmail' && config.mail.push
          ? {
              ...gmailKit.createPushVerifier({
                audience: config.mail.push.audience,
                serviceAccountEmail: config.mail.push.serviceAccount,
                certsUrl: config.mail.push.certsUrl,
              }),
              parse: gmailKit.parsePushBody,
            }
          : null,
      agentEmail: config.agentEmail,
      receiveMail: () => receiveMail(),
      logger,
      clickup: clickupIntake && config.clickup ? { secret: config.clickup.secret, intake: clickupIntake } : null,
    }),
    // The sandbox stand-ins and its clock exist only in sandbox mode: in live mode every /sandbox/* is a 404.
    ...(advanceClock
      ? [
          sandboxRouter({
            mailbox: sandboxMailbox,
            slack: sandboxSlack,
            queries,
            commands,
            agentEmail: config.agentEmail,
            receiveMail,
            advanceClock: (hours) => {
              const moved = advanceClock(hours);
              scheduler.poke();
              return moved;
            },
          }),
        ]
      : []),
  ];
  routers.push(openApiRouter(routers, PROTECTED_PREFIXES)); // GET /api/v1/openapi.json, generated from these
  const app = createApp({
    logger,
    metrics,
    apiTokens: config.apiTokens,
    bodyLimitBytes: config.bodyLimitBytes,
    routers,
    protectedPrefixes: PROTECTED_PREFIXES,
    rawMiddleware: slackApp?.middleware ? [slackApp.middleware] : [],
    reportError: (error, tags) => {
      readiness.observe(error);
      errors.capture(error, tags);
    },
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
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl ||= url.replace('0.0.0.0', '127.0.0.1');
  const readyMs = Math.round(performance.now() - started);
  logger.info('agent ready', { mode: config.mode, url, restored, redelivered, caughtUp, readyMs });

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    bootStats: { restored, redelivered, caughtUp, readyMs },
    close() {
      closing ??= (async () => {
        // Stop accepting, let in-flight requests and effects finish (bounded), then close the databases.
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + config.shutdownGraceMs;
        while (Date.now() < deadline) {
          if (queries.busyIds().length === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        scheduler.stop();
        watchKeeper?.stop();
        await slackApp?.stop();
        clearInterval(poll);
        await clickupIntake?.stop();
        await outbox.stop();
        await monitor.stop();
        host.shutdown();
        inspection?.stop();
        faults.stop();
        integrity?.stop();
        await errors.close();
        server.closeAllConnections();
        await httpClosed;
        db.close();
        sandboxDb.close();
        lock.release(); // last: another agent may start on this directory from here on
        logger.info('agent stopped');
      })();
      return closing;
    },
  };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`\nSTARTUP FAILED\n${error.message}\n\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let agent: Agent;
  try {
    agent = await startAgent(config, { logger });
  } catch (error) {
    process.stderr.write(`\nSTARTUP FAILED\n${error instanceof Error ? error.message : String(error)}\n\n`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('shutting down', { signal });
      const force = setTimeout(() => process.exit(1), 10_000).unref();
      agent.close().then(() => {
        clearTimeout(force);
        process.exit(0);
      });
    });
  }
}

if (import.meta.main) await main();
