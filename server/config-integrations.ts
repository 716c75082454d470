/**
 * The settings of the outside systems the agent talks to (mailbox and its send limits, chat, model), from the
 * parsed environment: which provider each mode uses by default, and what each provider needs.
 */
import { resolve } from 'node:path';
import type { ModelSettings } from '../services/model/anthropic.ts';
import type { Env, Mode } from './config-env.ts';
import { parseSendWindow, type SendLimits } from './runtime/send-queue.ts';

export interface GmailSettings {
  tokenPath: string | undefined;
  serviceAccountPath: string | undefined;
  delegatedUser: string | undefined;
  apiUrl: string | undefined; // rootUrl of the Gmail API (a local fake in tests)
  tokenUrl: string | undefined; // Google's OAuth token endpoint, overridable for tests
  topic: string | undefined; // Pub/Sub topic for users.watch; no topic = polling only
  push: { audience: string; serviceAccount: string; certsUrl: string | undefined } | undefined;
  pollMs: number; // a safety pull even with push: a lost notification costs minutes, never a reply
}

export interface SlackSettings {
  botToken: string;
  signingSecret: string | undefined; // HTTP mode (POST /slack/events)
  appToken: string | undefined; // Socket Mode, preferred when set
  apiUrl: string | undefined; // a local fake in tests
  /** Slack user ids (U…) and user-group ids (S…) allowed to approve; empty = anyone in the workspace (D8). */
  approvers: string[];
}

export type MailConfig = { provider: 'sandbox' } | ({ provider: 'gmail' } & GmailSettings);
export type ChatConfig = { provider: 'sandbox' } | ({ provider: 'slack' } & SlackSettings);
/** Claude (live, or sandbox on request) or the offline negotiator; settings only for Claude. */
export type ModelConfig = { provider: 'offline' } | { provider: 'anthropic'; settings: ModelSettings };

export const GMAIL_MAX_PER_MINUTE = 60;
const mailProviderOf = (env: Env, mode: Mode) => env.MAIL_PROVIDER ?? (mode === 'live' ? 'gmail' : 'sandbox');

/**
 * Gmail: 20 a minute (one every 3 s: 33 of the 250 quota units a second, a pace no spam filter frowns on) and 1,800
 * a rolling day (Workspace allows about 2,000; the rest is left for the people using the mailbox). The sandbox
 * mailbox has no limits: its defaults keep the walkthrough instant.
 */
export function sendLimitsOf(env: Env, mode: Mode): SendLimits {
  const gmail = mailProviderOf(env, mode) === 'gmail';
  return {
    perMinute: env.SEND_PER_MINUTE ?? (gmail ? 20 : 60_000),
    perDay: env.SEND_PER_DAY ?? (gmail ? 1_800 : 10_000_000),
    window: parseSendWindow(env.SEND_WINDOW, env.SEND_TIME_ZONE),
  };
}

export function mailOf(env: Env, mode: Mode, cwd: string): MailConfig {
  if (mailProviderOf(env, mode) === 'sandbox') return { provider: 'sandbox' };
  const path = (p: string | undefined) => (p ? resolve(cwd, p) : undefined);
  return {
    provider: 'gmail',
    tokenPath: path(env.GMAIL_TOKEN_PATH),
    serviceAccountPath: path(env.GMAIL_SERVICE_ACCOUNT_PATH),
    delegatedUser: env.GMAIL_DELEGATED_USER,
    apiUrl: env.GMAIL_API_URL,
    tokenUrl: env.GOOGLE_TOKEN_URL,
    topic: env.GMAIL_PUBSUB_TOPIC,
    push:
      env.GMAIL_PUSH_AUDIENCE && env.GMAIL_PUSH_SERVICE_ACCOUNT
        ? {
            audience: env.GMAIL_PUSH_AUDIENCE,
            serviceAccount: env.GMAIL_PUSH_SERVICE_ACCOUNT,
            certsUrl: env.GOOGLE_CERTS_URL,
          }
        : undefined,
    pollMs: env.GMAIL_POLL_SECONDS * 1000,
  };
}

export function chatOf(env: Env, mode: Mode): ChatConfig {
  const provider = env.CHAT_PROVIDER ?? (mode === 'live' ? 'slack' : 'sandbox');
  if (provider === 'sandbox' || !env.SLACK_BOT_TOKEN) return { provider: 'sandbox' };
  return {
    provider,
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    approvers: (env.SLACK_APPROVERS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  };
}

export function modelOf(env: Env, mode: Mode): ModelConfig {
  const provider = env.MODEL_PROVIDER ?? (mode === 'live' ? 'anthropic' : 'offline');
  if (provider === 'offline' || !env.ANTHROPIC_API_KEY) return { provider: 'offline' };
  return {
    provider,
    settings: {
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      classifyModel: env.CLASSIFY_MODEL,
      composeModel: env.COMPOSE_MODEL,
      classifyMaxTokens: env.CLASSIFY_MAX_TOKENS,
      composeMaxTokens: env.COMPOSE_MAX_TOKENS,
      timeoutMs: env.MODEL_TIMEOUT_MS,
      maxRetries: env.MODEL_MAX_RETRIES,
    },
  };
}
