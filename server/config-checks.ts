/**
 * What the environment must hold together, per mode: each problem names the variable, and all of them are
 * reported at once so a start fails with the whole list (decisions D13, D15).
 */
import { existsSync } from 'node:fs';
import type { Env } from './config-env.ts';
import { GMAIL_MAX_PER_MINUTE } from './config-integrations.ts';

const hasToken = (env: Env) => Boolean(env.API_TOKEN) || env.API_TOKENS.length > 0;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function sandboxProblems(env: Env): string[] {
  const problems: string[] = [];
  // An unauthenticated sandbox must not be reachable from other machines.
  if (env.HOST && !LOOPBACK.has(env.HOST) && !hasToken(env)) {
    problems.push(`HOST=${env.HOST}: a sandbox bound beyond loopback needs API_TOKEN or API_TOKENS`);
  }
  if (env.MODEL_PROVIDER === 'anthropic' && !env.ANTHROPIC_API_KEY) {
    problems.push('MODEL_PROVIDER=anthropic needs ANTHROPIC_API_KEY');
  }
  if (env.MAIL_PROVIDER === 'gmail') problems.push(...gmailProblems(env));
  problems.push(...clickupProblems(env));
  if (env.CHAT_PROVIDER === 'slack') problems.push(...slackProblems(env));
  if (env.SHEETS_PROVIDER === 'google') problems.push(...sheetsProblems(env));
  return problems;
}

function gmailProblems(env: Env): string[] {
  const problems: string[] = [];
  // Gmail allows 250 quota units a second per user and a send costs 100: one a second leaves room for reading.
  if ((env.SEND_PER_MINUTE ?? 0) > GMAIL_MAX_PER_MINUTE) {
    problems.push(
      `SEND_PER_MINUTE=${env.SEND_PER_MINUTE}: Gmail takes at most ${GMAIL_MAX_PER_MINUTE} sends a minute (250 quota units a second, 100 a send)`,
    );
  }
  if (!env.GMAIL_TOKEN_PATH && !env.GMAIL_SERVICE_ACCOUNT_PATH) {
    problems.push('Gmail credentials missing: set GMAIL_TOKEN_PATH or GMAIL_SERVICE_ACCOUNT_PATH');
  }
  if (env.GMAIL_TOKEN_PATH && env.GMAIL_SERVICE_ACCOUNT_PATH) {
    problems.push('Set only one of GMAIL_TOKEN_PATH and GMAIL_SERVICE_ACCOUNT_PATH');
  }
  for (const name of ['GMAIL_TOKEN_PATH', 'GMAIL_SERVICE_ACCOUNT_PATH'] as const) {
    const path = env[name];
    if (path && !existsSync(path)) problems.push(`${name}: file not found: ${path}`);
  }
  if (env.GMAIL_SERVICE_ACCOUNT_PATH && !env.GMAIL_DELEGATED_USER) {
    problems.push('GMAIL_DELEGATED_USER is required with GMAIL_SERVICE_ACCOUNT_PATH');
  }
  if (env.GMAIL_PUBSUB_TOPIC && !(env.GMAIL_PUSH_AUDIENCE && env.GMAIL_PUSH_SERVICE_ACCOUNT)) {
    problems.push('GMAIL_PUBSUB_TOPIC needs GMAIL_PUSH_AUDIENCE and GMAIL_PUSH_SERVICE_ACCOUNT to verify the pushes');
  }
  return problems;
}

function sheetsProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.GOOGLE_SHEETS_KEY) problems.push('GOOGLE_SHEETS_KEY is missing (the master spreadsheet id)');
  if (!env.SHEETS_SERVICE_ACCOUNT_PATH) problems.push('SHEETS_SERVICE_ACCOUNT_PATH is missing');
  else if (!existsSync(env.SHEETS_SERVICE_ACCOUNT_PATH)) {
    problems.push(`SHEETS_SERVICE_ACCOUNT_PATH: file not found: ${env.SHEETS_SERVICE_ACCOUNT_PATH}`);
  }
  return problems;
}

function clickupProblems(env: Env): string[] {
  if (env.CLICKUP_WEBHOOK_SECRET && !env.CLICKUP_API_TOKEN) {
    return ['CLICKUP_WEBHOOK_SECRET is set but CLICKUP_API_TOKEN is missing (the webhook only carries the task id)'];
  }
  return [];
}

const CHANNEL_ID = /^[CG][A-Z0-9]{6,}$/;

function slackProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN is missing');
  else if (!env.SLACK_BOT_TOKEN.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN must start with xoxb-');
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    problems.push('Slack transport missing: set SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)');
  }
  if (env.SLACK_APP_TOKEN && !env.SLACK_APP_TOKEN.startsWith('xapp-'))
    problems.push('SLACK_APP_TOKEN must start with xapp-');
  // Posting is by id: the duplicate check reads the channel's history, which needs the id, not "#name".
  for (const name of ['SLACK_ESCALATION_CHANNEL', 'SLACK_AGREEMENT_CHANNEL'] as const) {
    if (!CHANNEL_ID.test(env[name])) problems.push(`${name} must be a Slack channel id (C… or G…), not "${env[name]}"`);
  }
  return problems;
}

/** Live mode names every missing or invalid credential at once (decisions D13, D15). */
export function liveProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!hasToken(env)) problems.push('API_TOKEN or API_TOKENS is required in live mode');
  problems.push(...gmailProblems(env));
  if (!env.ANTHROPIC_API_KEY) problems.push('ANTHROPIC_API_KEY is missing');
  problems.push(...clickupProblems(env));
  problems.push(...slackProblems(env));
  problems.push(...sheetsProblems(env));
  return problems;
}
