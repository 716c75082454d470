/**
 * The live services (Gmail, Google Sheets, Slack), loaded only when configured: a sandbox does not pay for them in
 * start time or memory. Each is connected and its credentials checked before the agent opens anything, so bad
 * credentials stop the start with a ConfigError naming them.
 */
import { type Config, ConfigError } from './config.ts';
import type { Logger } from './observability/logger.ts';

const loadGmail = async () => ({
  ...(await import('./live-gmail.ts')),
  ...(await import('../services/mail/gmail.ts')),
  ...(await import('./http/gmail-push.ts')),
});
const loadSlack = async () => ({
  ...(await import('@slack/web-api')),
  ...(await import('../services/chat/slack.ts')),
  ...(await import('./slack/app.ts')),
  ...(await import('./slack/handlers.ts')),
});
const asConfigError = (error: Error) => {
  throw new ConfigError([error.message]);
};

/** Connects what is configured; the config comes back with the agent's address as the Gmail mailbox says it. */
export async function connectLiveServices(given: Config, logger: Logger) {
  const gmailKit = given.mail.provider === 'gmail' ? await loadGmail() : null;
  const slackKit = given.chat.provider === 'slack' ? await loadSlack() : null;
  // Live mail first: the credentials are checked and the agent's own address read.
  const gmail =
    gmailKit && given.mail.provider === 'gmail' ? await gmailKit.connectGmail(given.mail).catch(asConfigError) : null;
  if (gmail && given.env.AGENT_EMAIL && given.env.AGENT_EMAIL.toLowerCase() !== gmail.agentEmail) {
    logger.warn('AGENT_EMAIL differs from the Gmail mailbox; using the mailbox address', { mailbox: gmail.agentEmail });
  }
  const config: Config = { ...given, agentEmail: gmail?.agentEmail ?? given.agentEmail };
  const googleSheets = config.sheets.google
    ? await (await import('./live-sheets.ts')).connectSheets(config.sheets.google, config)
    : null;
  // Live Slack: the bot token is checked (auth.test).
  const slackClient =
    slackKit && config.chat.provider === 'slack'
      ? new slackKit.WebClient(config.chat.botToken, slackKit.slackClientOptions(config.chat.apiUrl))
      : null;
  const slackAuth = slackKit && slackClient ? await slackKit.verifyAuth(slackClient).catch(asConfigError) : null;
  return { config, gmailKit, gmail, googleSheets, slackKit, slackClient, slackAuth };
}
