/**
 * Which adapter serves each port: the sandbox stand-ins (kept in sandbox.db) or the live services that
 * live-services.ts connected. The composition root (main.ts) takes what it gets here and wires it.
 */
import type { Db } from '../persistence/db.ts';
import type { Queries } from '../persistence/queries.ts';
import type { ChatPort } from '../services/chat/port.ts';
import { createSandboxSlack } from '../services/chat/sandbox.ts';
import type { Clock } from '../services/clock.ts';
import type { KnowledgeBase } from '../services/knowledge.ts';
import type { MailPort } from '../services/mail/port.ts';
import { createSandboxMailbox } from '../services/mail/sandbox.ts';
import type { ModelCall } from '../services/model/anthropic.ts';
import { createOfflineNegotiator } from '../services/model/offline.ts';
import type { ModelPort } from '../services/model/port.ts';
import type { SandboxDb } from '../services/sandbox/db.ts';
import type { SandboxFaults } from '../services/sandbox/faults.ts';
import { createCsvSheet } from '../services/sheets/csv.ts';
import { type Config, ConfigError } from './config.ts';
import type { connectLiveServices } from './live-services.ts';
import type { Logger } from './observability/logger.ts';
import type { Commands } from './runtime/commands.ts';
import { slackAudit } from './slack/audit.ts';

type LiveServices = Awaited<ReturnType<typeof connectLiveServices>>;

/** Claude when configured (its model ids are checked now: a bad one stops the start), else the offline negotiator. */
export async function createModel(
  config: Config,
  deps: { knowledge: KnowledgeBase; faults: SandboxFaults; onCall: (call: ModelCall) => void },
): Promise<ModelPort> {
  let model: ModelPort = deps.faults.model(createOfflineNegotiator());
  if (config.model.provider === 'anthropic') {
    const { createAnthropicNegotiator } = await import('../services/model/anthropic.ts');
    const claude = createAnthropicNegotiator(config.model.settings, { knowledge: deps.knowledge, onCall: deps.onCall });
    await claude.checkModels().catch((error: Error) => {
      throw new ConfigError([error.message]);
    });
    model = claude;
  }
  return model;
}

/** The mailbox (and its Gmail watch), the chat and the sheets; the sandbox stand-ins are null when live. */
export function createPorts(
  config: Config,
  live: LiveServices,
  deps: { db: Db; sandboxDb: SandboxDb; clock: Clock; faults: SandboxFaults; logger: Logger },
) {
  const { gmailKit, gmail, googleSheets, slackKit, slackClient } = live;
  const { db, sandboxDb, clock, faults, logger } = deps;
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
  return { sandboxMailbox, mailbox, watchKeeper, sandboxSlack, chat, sheets };
}

/** The Slack listeners when live Slack is configured (Socket Mode when an app token is set, else HTTP). */
export function createSlackDoor(
  config: Config,
  live: LiveServices,
  deps: { commands: Commands; queries: Queries; db: Db; clock: Clock; logger: Logger },
) {
  const { slackKit, slackClient, slackAuth } = live;
  if (!(slackKit && slackClient && slackAuth && config.chat.provider === 'slack')) return null;
  return slackKit.createSlackApp({
    mode: config.chat.appToken ? 'socket' : 'http',
    signingSecret: config.chat.signingSecret,
    botToken: config.chat.botToken,
    appToken: config.chat.appToken,
    clientOptions: slackKit.slackClientOptions(config.chat.apiUrl),
    botId: slackAuth.bot_id,
    botUserId: slackAuth.user_id,
    bodyLimitBytes: config.bodyLimitBytes,
    logger: deps.logger,
    handlers: slackKit.createSlackHandlers({
      commands: deps.commands,
      queries: deps.queries,
      db: deps.db,
      client: slackClient,
      approvers: config.chat.approvers,
      audit: (database, text) => slackAudit(database, text, deps.clock.now()),
    }),
  });
}
