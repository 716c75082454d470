/**
 * The Slack interaction layer (decisions D6, D8) as a Bolt app: the listeners (listeners.ts) on a receiver. Over
 * HTTP, Slack posts to POST /slack/events, which reads the raw body itself and verifies the signing secret before
 * Bolt sees anything (receiver.ts); Socket Mode uses Bolt's receiver.
 */
import { format } from 'node:util';
import { App, type Logger as BoltLogger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../observability/logger.ts';
import { registerListeners, type SlackHandlers } from './listeners.ts';
import { createKoaReceiver, type SlackKoaReceiver, slackKoaMiddleware } from './receiver.ts';

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
  registerListeners(app, handlers, logger);

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
