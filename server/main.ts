/**
 * The composition root: config -> database -> adapters (adapters.ts) -> effects -> actor host -> HTTP server.
 * `node server/main.ts` (npm start) runs the service; tests start it in-process with `startAgent`.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type NegotiationEmitted, negotiationMachine } from '../machines/negotiation.ts';
import { type Db, isStorageError, openDatabase } from '../persistence/db.ts';
import { createInbox } from '../persistence/inbox.ts';
import { databaseBytes, INLINE_CHECK_MAX_BYTES, quickCheckInBackground } from '../persistence/integrity.ts';
import { lockDataDir } from '../persistence/lock.ts';
import { createWalSync } from '../persistence/wal-sync.ts';
import { createJournal } from '../persistence/journal.ts';
import { createQueries } from '../persistence/queries.ts';
import { createIntakeRows } from '../persistence/intake-rows.ts';
import { createSendQueueStore } from '../persistence/send-queue.ts';
import { createSettings } from '../persistence/settings.ts';
import { createStore } from '../persistence/store.ts';
import { queryTimeline } from '../persistence/timeline.ts';
import { loadKnowledgeBase } from '../services/knowledge.ts';
import { loadTriggerConfig } from '../services/triggers.ts';
import { agentClock } from '../services/sandbox/clock.ts';
import { openSandboxDb } from '../services/sandbox/db.ts';
import { sandboxCrashPoints } from '../services/sandbox/crash-points.ts';
import { sandboxFaults } from '../services/sandbox/faults.ts';
import type { DomainState } from '../services/domain.ts';
import { createModel, createPorts, createSlackDoor } from './adapters.ts';
import { createCampaignSheets } from './runtime/campaign-sheets.ts';
import { createChatOutbox } from './runtime/chat-outbox.ts';
import { createClickUpIntake } from './runtime/clickup-intake.ts';
import { createCommands } from './runtime/commands.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createEffects, type EffectDeps } from './runtime/effects.ts';
import { createHost, type EffectRuntime } from './runtime/host.ts';
import { serveHttp } from './http/serve.ts';
import { createInspection } from './observability/inspect.ts';
import { connectLiveServices } from './live-services.ts';
import { createErrorReporter } from './observability/sentry.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMailIntake } from './runtime/mail-intake.ts';
import { createMetrics } from './observability/metrics.ts';
import { createRuntimeNotices } from './runtime/notices.ts';
import { createReadiness } from './observability/readiness.ts';
import type { NegotiationChange } from './http/routes/dashboard.ts';
import { createSendQueue } from './runtime/send-queue.ts';
import { createCampaignCreation } from './runtime/campaign-creation.ts';

export interface Agent {
  url: string;
  server: Server;
  bootStats: { restored: number; redelivered: number; caughtUp: number; readyMs: number };
  close(): Promise<void>;
}

export interface AgentOptions {
  logger?: Logger;
  /** Test seam: wraps the provided machine (e.g. to inject a failing action). */
  adaptMachine?: (machine: typeof negotiationMachine) => typeof negotiationMachine;
  /** Test seam: the agent's own database connection (e.g. to make it full, as a full disk would). */
  onDatabase?: (db: Db) => void;
}

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
  const live = await connectLiveServices(given, logger);
  const { config, gmailKit } = live;
  // The brain first: a bad knowledge base or model id stops the start before anything is opened.
  const knowledge = loadKnowledgeBase(config.kbDir, (message) => logger.warn(message));
  const triggers = loadTriggerConfig(config.triggersFile);
  const faults = sandboxFaults(config); // test only: SANDBOX_FAULTS
  opened.push(() => faults.stop());
  const model = await createModel(config, { knowledge, faults, onCall: (call) => metrics?.observeModelCall(call) });
  // One writer per data directory (D17): a second agent stops here, naming the running one.
  const lock = lockDataDir(config.dataDir);
  opened.push(() => lock.release());
  const dbFile = join(config.dataDir, 'agent.db');
  const db = openDatabase(dbFile, config.sqliteSynchronous);
  opened.push(() => db.close());
  const wal = createWalSync(db, dbFile, config.sqliteSynchronous);
  opened.push(() => wal.close());
  const integrity = databaseBytes(db) > INLINE_CHECK_MAX_BYTES ? quickCheckInBackground(dbFile) : null;
  opened.push(() => integrity?.stop());
  options.onDatabase?.(db);
  const sandboxDb = openSandboxDb(join(config.dataDir, 'sandbox.db'));
  opened.push(() => sandboxDb.close());
  const { clock, advance: advanceClock } = agentClock(createSettings(sandboxDb), config.mode, (offsetHours) =>
    logger.warn('sandbox clock offset ignored in live mode', { offsetHours }),
  );
  const crashes = sandboxCrashPoints(config); // test only: SANDBOX_CRASH_POINT, decorators around the ports

  const { sandboxMailbox, mailbox, watchKeeper, sandboxSlack, chat, sheets } = createPorts(config, live, {
    db,
    sandboxDb,
    clock,
    faults,
    logger,
  });

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
  const sendQueue = createSendQueue({
    store: createSendQueueStore(db),
    clock,
    limits: config.sending,
    logger,
    onLimited: (limit) => metrics?.sendLimited.inc({ daily: String(limit.daily) }),
    wake: (negotiationId) => host.wake(negotiationId), // called from the queue's turns, once the host exists
    release: (negotiationId) => host.release(negotiationId),
    commit: (write) => host.commitWith(write),
  });
  opened.push(() => sendQueue.stop());
  metrics?.watchSendQueue(() => {
    const { queued, sentLast24h, nextSendAt } = sendQueue.status();
    const waitSeconds = nextSendAt ? Math.max(0, (Date.parse(nextSendAt) - clock.now()) / 1000) : 0;
    return { queued, sentLast24h, waitSeconds };
  });
  const effectDeps: Omit<EffectDeps, keyof EffectRuntime> = {
    sendQueue,
    outbox,
    linkFor: (id) => `${publicUrl}/dashboard#n=${encodeURIComponent(id)}`, // the dashboard's view (D19)
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
  };

  const notices = createRuntimeNotices({
    chat,
    outbox,
    channel: config.slack.escalationChannel,
    clock,
    logger,
    dbFile,
  });
  const inspection = await createInspection(config.inspect, logger);
  const errors = await createErrorReporter(config.sentryDsn, config.mode);
  const host = createHost({
    inspect: inspection?.inspect,
    db,
    wal,
    store,
    inbox,
    journal,
    machine: (runtime) => {
      const provided = negotiationMachine.provide({ actors: createEffects({ ...effectDeps, ...runtime }) });
      return options.adaptMachine ? options.adaptMachine(provided) : provided;
    },
    clock,
    logger,
    policy: config.policy,
    cacheSize: config.actorCacheSize,
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
  opened.push(() => host.timers.stop());
  opened.push(() => host.shutdown());
  const mailIntake = createMailIntake({
    db,
    wal,
    mail: mailbox,
    inbox,
    queries,
    clock,
    agentEmail: config.agentEmail,
    logger,
  });
  const commands = createCommands({ host, queries, db, clock, sendQueue });
  const intakeRows = createIntakeRows(db);
  const creation = createCampaignCreation({ db, queries, host, rows: intakeRows, sendQueue, config, logger });
  const { intake, monitor } = createCampaignSheets({
    db,
    queries,
    host,
    intakeRows,
    creation,
    sheets,
    chat,
    clock,
    logger,
    config,
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
  const slackApp = createSlackDoor(config, live, { commands, queries, db, clock, logger });

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
  host.timers.poke();
  sendQueue.poke(); // the negotiations asleep in the queue (not restored above) are woken as their turns near
  creation.kick(); // a big campaign's accepted rows a restart interrupted
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
  const { server, url } = await serveHttp({
    config,
    db,
    host,
    queries,
    commands,
    intake,
    inbox,
    sendQueue,
    metrics,
    readiness,
    changes,
    gmailKit,
    clickupIntake,
    receiveMail,
    sandbox: advanceClock ? { mailbox: sandboxMailbox, slack: sandboxSlack, advanceClock } : null,
    rawMiddleware: slackApp?.middleware ? [slackApp.middleware] : [],
    reportError: (error, tags) => {
      readiness.observe(error);
      errors.capture(error, tags);
    },
    logger,
  });
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
        sendQueue.stop(); // no email starts now; those waiting for their turn keep their place for the next start
        const deadline = Date.now() + config.shutdownGraceMs;
        while (Date.now() < deadline) {
          if (queries.busyIds().length <= sendQueue.waiting()) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await creation.stop();
        host.timers.stop();
        watchKeeper?.stop();
        await slackApp?.stop();
        clearInterval(poll);
        await clickupIntake?.stop();
        await outbox.stop();
        await monitor.stop();
        host.shutdown();
        // The last commit on disk before the file is closed (closing checkpoints it at FULL in any case).
        await wal.sync().catch((error) => logger.error('last commit not synced', { error: String(error) }));
        inspection?.stop();
        faults.stop();
        integrity?.stop();
        await errors.close();
        server.closeAllConnections();
        await httpClosed;
        db.close();
        wal.close();
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
