/**
 * The one place that reads the environment. `.env` (if present) fills in what the real environment leaves
 * unset. Everything is validated with zod; a bad value is a startup error naming the variable. The variables are
 * in config-env.ts, what they must hold together per mode in config-checks.ts, the outside systems' settings in
 * config-integrations.ts; this file assembles the Config every room reads (as a type only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import type { CrashPoint } from '../services/sandbox/crash-points.ts';
import { type FaultSpec, parseFaults } from '../services/sandbox/faults.ts';
import { liveProblems, sandboxProblems } from './config-checks.ts';
import { type Env, envSchema, type Mode } from './config-env.ts';
import {
  type ChatConfig,
  chatOf,
  type MailConfig,
  type ModelConfig,
  mailOf,
  modelOf,
  sendLimitsOf,
} from './config-integrations.ts';
import type { ApiToken } from './http/api-tokens.ts';
import type { InspectSettings } from './observability/inspect.ts';
import type { SendLimits } from './runtime/send-queue.ts';

const SHIPPED_KB = fileURLToPath(new URL('../knowledge_base', import.meta.url));
const SHIPPED_TRIGGERS = fileURLToPath(new URL('../config/escalation_triggers.yaml', import.meta.url));

export interface Config {
  mode: Mode;
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
  model: ModelConfig;
  kbDir: string;
  triggersFile: string;
  inspect: InspectSettings;
  sentryDsn: string | undefined;
  mail: MailConfig;
  /** POST /webhooks/clickup is served when the secret is set (the token reads the task). */
  clickup: { secret: string; token: string; apiUrl: string | undefined } | undefined;
  chat: ChatConfig;
  env: Env;
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
  for (const key of Object.keys(envSchema.shape)) if (environment[key] !== undefined) merged[key] = environment[key];
  const parsed = envSchema.safeParse(merged);
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
