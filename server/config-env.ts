/**
 * Every environment variable the agent reads, with its type, range and default: a bad value is a startup error
 * naming the variable (config.ts turns the parsed values into the Config).
 */
import { z } from 'zod';
import { CRASH_POINTS } from '../services/sandbox/crash-points.ts';
import { parseFaults } from '../services/sandbox/faults.ts';
import { parseApiTokens } from './http/api-tokens.ts';
import { parseSendWindow } from './runtime/send-queue.ts';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const hours = z.coerce
  .number()
  .positive()
  .max(24 * 365);
const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const envSchema = z.object({
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

export type Env = z.infer<typeof envSchema>;
export type Mode = 'sandbox' | 'live';
