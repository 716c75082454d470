/**
 * The one place that reads the environment. `.env` (if present) fills in what the real environment leaves
 * unset. Everything is validated with zod; a bad value is a startup error naming the variable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import type { ModelSettings } from '../services/model/anthropic.ts';
import { CRASH_POINTS, type CrashPoint } from '../services/sandbox/crash-points.ts';
import { type FaultSpec, parseFaults } from '../services/sandbox/faults.ts';
import { type ApiToken, parseApiTokens } from './http/api-tokens.ts';
import type { InspectSettings } from './observability/inspect.ts';
import { parseSendWindow, type SendLimits } from './runtime/send-queue.ts';

const SHIPPED_KB = fileURLToPath(new URL('../knowledge_base', import.meta.url));
const SHIPPED_TRIGGERS = fileURLToPath(new URL('../config/escalation_triggers.yaml', import.meta.url));

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const hours = z.coerce
  .number()
  .positive()
  .max(24 * 365);
const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const schema = z.object({
  AGENT_MODE: z.enum(['sandbox', 'live']).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optional,
  DATA_DIR: z.string().default('./data'),
  API_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  API_TOKENS: optional.transform((value, ctx) =>
    parseApiTokens(value, (message) => ctx.addIssue({ code: 'custom', message })),
  ),
  PUBLIC_URL: optional.pipe(z.url().optional()),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  AGENT_EMAIL: optional.pipe(z.email().optional()),
  AGENT_NAME: z.string().default('The Partnerships Team'),
  MAX_ROUNDS: z.coerce.number().int().min(1).max(50).default(5),
  FOLLOW_UP_AFTER_HOURS: hours.default(72),
  STALE_AFTER_HOURS: hours.default(72),
  PAYMENT_TERMS: z.string().default('within 30 days of content going live'),
  FORBIDDEN_PHRASES: optional,
  SHEETS_DIR: z.string().default('./sheets'),
  SHEETS_PROVIDER: z.enum(['csv', 'google']).optional(),
  SHEETS_API_URL: optional.pipe(z.url().optional()),
  SHEET_POLL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  SHEETS_MASTER_TAB: z.string().default('Sheet1'),
  SLACK_ESCALATION_CHANNEL: z.string().default('#negotiation-escalations'),
  SLACK_AGREEMENT_CHANNEL: z.string().default('#negotiation-deals'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(5_000_000), // 10,000 influencers: ~1.7 MB
  EFFECT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  CHAT_RETRY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  EFFECT_RETRY_BASE_MS: z.coerce.number().int().min(0).max(600_000).default(500),
  ACTOR_CACHE_SIZE: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(9_000).default(8_000),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  // The send queue (decisions D20); defaults depend on the mailbox (sendLimitsOf).
  SEND_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).optional(),
  SEND_PER_DAY: z.coerce.number().int().min(1).max(10_000_000).optional(),
  SEND_WINDOW: optional.superRefine((value, ctx) => {
    try {
      parseSendWindow(value, 'UTC');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
  SEND_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin'),
  SANDBOX_CRASH_POINT: optional.pipe(
    z
      .string()
      .regex(new RegExp(`^(${CRASH_POINTS.join('|')})(:\\d+)?$`), `must be one of ${CRASH_POINTS.join(', ')}[:n]`)
      .optional(),
  ),
  SANDBOX_FAULTS: optional.superRefine((value, ctx) => {
    try {
      if (value) parseFaults(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
  ENABLE_METRICS: bool.default(true),
  INSPECT: z
    .union([z.enum(['off', 'sky']), z.string().regex(/^wss?:\/\/\S+$/, 'must be off, sky or a ws:// URL')])
    .default('off'),
  INSPECT_LOG: optional,
  INSPECT_REDACT: bool.default(true),
  SENTRY_DSN: optional.pipe(z.url().optional()),
  MODEL_PROVIDER: z.enum(['offline', 'anthropic']).optional(),
  ANTHROPIC_BASE_URL: optional.pipe(z.url().optional()),
  CLASSIFY_MODEL: z.string().min(1).default('claude-haiku-4-5-20251001'),
  // The spec's claude-sonnet-4-5-20250929 reaches end-of-life on 2026-11-30 (README, decisions).
  COMPOSE_MODEL: z.string().min(1).default('claude-sonnet-4-6'),
  CLASSIFY_MAX_TOKENS: z.coerce.number().int().min(256).max(64_000).default(1024),
  COMPOSE_MAX_TOKENS: z.coerce.number().int().min(256).max(64_000).default(2048),
  MODEL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(0), // the effect runner retries (retry.ts)
  KB_DIR: optional,
  TRIGGERS_FILE: optional,
  // Live-mode credentials (their adapters come with the Gmail, Slack and brain issues).
  GMAIL_TOKEN_PATH: optional,
  GMAIL_SERVICE_ACCOUNT_PATH: optional,
  GMAIL_DELEGATED_USER: optional,
  GMAIL_PUBSUB_TOPIC: optional,
  GMAIL_PUSH_AUDIENCE: optional,
  GMAIL_PUSH_SERVICE_ACCOUNT: optional,
  MAIL_PROVIDER: z.enum(['sandbox', 'gmail']).optional(),
  CHAT_PROVIDER: z.enum(['sandbox', 'slack']).optional(),
  SLACK_API_URL: optional.pipe(z.url().optional()),
  SLACK_APPROVERS: optional,
  GMAIL_API_URL: optional.pipe(z.url().optional()),
  GOOGLE_TOKEN_URL: optional.pipe(z.url().optional()),
  GOOGLE_CERTS_URL: optional.pipe(z.url().optional()),
  GMAIL_POLL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  ANTHROPIC_API_KEY: optional,
  SLACK_BOT_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional,
  GOOGLE_SHEETS_KEY: optional,
  SHEETS_SERVICE_ACCOUNT_PATH: optional,
  CLICKUP_WEBHOOK_SECRET: optional,
  CLICKUP_API_TOKEN: optional,
  CLICKUP_API_URL: optional.pipe(z.url().optional()),
});

type Env = z.infer<typeof schema>;

export interface Config {
  mode: 'sandbox' | 'live';
  port: number;
  host: string;
  dataDir: string;
  /** Bearer tokens for /api/v1 and /sandbox (API_TOKEN as actor "api", API_TOKENS as "api:<name>"). */
  apiTokens: ApiToken[];
  publicUrl: string | undefined; // base of links in Slack messages; default: the address the server binds
  shutdownGraceMs: number;
  logLevel: Env['LOG_LEVEL'];
  agentEmail: string;
  agentName: string;
  policy: { maxRounds: number; followUpAfterMs: number; staleAfterMs: number };
  paymentTerms: string;
  forbiddenPhrases: string[] | undefined;
  sheets: {
    dir: string; // the sandbox CSV sheet
    masterTab: string;
    /** Google Sheets (live, or sandbox on request): the master spreadsheet and a service account to read it. */
    google: { spreadsheetId: string; serviceAccountPath: string; apiUrl: string | undefined } | undefined;
    pollMs: number; // the sheet monitor; 0 = off
  };
  slack: { escalationChannel: string; agreementChannel: string };
  bodyLimitBytes: number;
  effects: { maxAttempts: number; retryBaseMs: number };
  /** The mailbox's send queue: caps and the optional sending window (decisions D20). */
  sending: SendLimits;
  chatRetryMs: number; // how often Slack messages deferred by an outage are tried again
  actorCacheSize: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  crashPoint: { point: CrashPoint; nth: number } | undefined;
  /** Test only: SANDBOX_FAULTS, injected faults of the sandbox adapters (services/sandbox/faults.ts). */
  sandboxFaults: FaultSpec | undefined;
  enableMetrics: boolean;
  /** Claude (live, or sandbox on request) or the offline negotiator; settings only for Claude. */
  model: { provider: 'offline' } | { provider: 'anthropic'; settings: ModelSettings };
  kbDir: string;
  triggersFile: string;
  inspect: InspectSettings;
  sentryDsn: string | undefined;
  mail: { provider: 'sandbox' } | ({ provider: 'gmail' } & GmailSettings);
  /** POST /webhooks/clickup is served when the secret is set (the token reads the task). */
  clickup: { secret: string; token: string; apiUrl: string | undefined } | undefined;
  chat: { provider: 'sandbox' } | ({ provider: 'slack' } & SlackSettings);
  env: Env;
}

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

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const HOUR = 3_600_000;

/** Reads `.env` from the working directory (if any) under the real environment, then validates. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dotenvPath = resolve(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const key of Object.keys(schema.shape)) if (environment[key] !== undefined) merged[key] = environment[key];
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const env = parsed.data;
  const mode = env.AGENT_MODE ?? (env.GMAIL_TOKEN_PATH || env.GMAIL_SERVICE_ACCOUNT_PATH ? 'live' : 'sandbox');
  const problems = mode === 'live' ? liveProblems(env) : sandboxProblems(env);
  if (env.API_TOKEN && env.API_TOKENS.some((t) => t.token === env.API_TOKEN)) {
    problems.push('API_TOKENS: a token equals API_TOKEN (each token must say who calls)');
  }
  if (problems.length) throw new ConfigError(problems);
  const host = env.HOST ?? (mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0');
  const [point, nth] = env.SANDBOX_CRASH_POINT?.split(':') ?? [];
  return {
    mode,
    port: env.PORT,
    host,
    dataDir: resolve(cwd, env.DATA_DIR),
    apiTokens: [...(env.API_TOKEN ? [{ actor: 'api', token: env.API_TOKEN }] : []), ...env.API_TOKENS],
    publicUrl: env.PUBLIC_URL?.replace(/\/$/, ''),
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    logLevel: env.LOG_LEVEL,
    agentEmail: env.AGENT_EMAIL ?? 'deals@agency.example',
    agentName: env.AGENT_NAME,
    policy: {
      maxRounds: env.MAX_ROUNDS,
      followUpAfterMs: Math.round(env.FOLLOW_UP_AFTER_HOURS * HOUR),
      staleAfterMs: Math.round(env.STALE_AFTER_HOURS * HOUR),
    },
    paymentTerms: env.PAYMENT_TERMS,
    forbiddenPhrases: env.FORBIDDEN_PHRASES?.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    sheets: {
      dir: resolve(cwd, env.SHEETS_DIR),
      masterTab: env.SHEETS_MASTER_TAB,
      google:
        (env.SHEETS_PROVIDER ?? (mode === 'live' ? 'google' : 'csv')) === 'google' &&
        env.GOOGLE_SHEETS_KEY &&
        env.SHEETS_SERVICE_ACCOUNT_PATH
          ? {
              spreadsheetId: env.GOOGLE_SHEETS_KEY,
              serviceAccountPath: resolve(cwd, env.SHEETS_SERVICE_ACCOUNT_PATH),
              apiUrl: env.SHEETS_API_URL,
            }
          : undefined,
      pollMs: env.SHEET_POLL_SECONDS * 1000,
    },
    slack: { escalationChannel: env.SLACK_ESCALATION_CHANNEL, agreementChannel: env.SLACK_AGREEMENT_CHANNEL },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    effects: { maxAttempts: env.EFFECT_MAX_ATTEMPTS, retryBaseMs: env.EFFECT_RETRY_BASE_MS },
    sending: sendLimitsOf(env, mode),
    chatRetryMs: env.CHAT_RETRY_SECONDS * 1000,
    actorCacheSize: env.ACTOR_CACHE_SIZE,
    sqliteSynchronous: env.SQLITE_SYNCHRONOUS,
    crashPoint: point && mode === 'sandbox' ? { point: point as CrashPoint, nth: Number(nth ?? 1) } : undefined,
    sandboxFaults: env.SANDBOX_FAULTS && mode === 'sandbox' ? parseFaults(env.SANDBOX_FAULTS) : undefined,
    enableMetrics: env.ENABLE_METRICS,
    model: modelOf(env, mode),
    mail: mailOf(env, mode, cwd),
    chat: chatOf(env, mode),
    clickup:
      env.CLICKUP_WEBHOOK_SECRET && env.CLICKUP_API_TOKEN
        ? { secret: env.CLICKUP_WEBHOOK_SECRET, token: env.CLICKUP_API_TOKEN, apiUrl: env.CLICKUP_API_URL }
        : undefined,
    kbDir: env.KB_DIR ? resolve(cwd, env.KB_DIR) : SHIPPED_KB,
    triggersFile: env.TRIGGERS_FILE ? resolve(cwd, env.TRIGGERS_FILE) : SHIPPED_TRIGGERS,
    inspect: {
      target: env.INSPECT,
      logPath: env.INSPECT_LOG ? resolve(cwd, env.INSPECT_LOG) : undefined,
      redact: env.INSPECT_REDACT,
    },
    sentryDsn: env.SENTRY_DSN,
    env,
  };
}

const GMAIL_MAX_PER_MINUTE = 60;
const mailProviderOf = (env: Env, mode: Config['mode']) => env.MAIL_PROVIDER ?? (mode === 'live' ? 'gmail' : 'sandbox');

/**
 * Gmail: 20 a minute (one every 3 s: 33 of the 250 quota units a second, a pace no spam filter frowns on) and 1,800
 * a rolling day (Workspace allows about 2,000; the rest is left for the people using the mailbox). The sandbox
 * mailbox has no limits: its defaults keep the walkthrough instant.
 */
function sendLimitsOf(env: Env, mode: Config['mode']): SendLimits {
  const gmail = mailProviderOf(env, mode) === 'gmail';
  return {
    perMinute: env.SEND_PER_MINUTE ?? (gmail ? 20 : 60_000),
    perDay: env.SEND_PER_DAY ?? (gmail ? 1_800 : 10_000_000),
    window: parseSendWindow(env.SEND_WINDOW, env.SEND_TIME_ZONE),
  };
}

function mailOf(env: Env, mode: Config['mode'], cwd: string): Config['mail'] {
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

function chatOf(env: Env, mode: Config['mode']): Config['chat'] {
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

function modelOf(env: Env, mode: Config['mode']): Config['model'] {
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

const hasToken = (env: Env) => Boolean(env.API_TOKEN) || env.API_TOKENS.length > 0;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function sandboxProblems(env: Env): string[] {
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
function liveProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!hasToken(env)) problems.push('API_TOKEN or API_TOKENS is required in live mode');
  problems.push(...gmailProblems(env));
  if (!env.ANTHROPIC_API_KEY) problems.push('ANTHROPIC_API_KEY is missing');
  problems.push(...clickupProblems(env));
  problems.push(...slackProblems(env));
  problems.push(...sheetsProblems(env));
  return problems;
}
