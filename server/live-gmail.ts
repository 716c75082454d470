/**
 * Live Gmail for the service: credentials checked at start, the agent's address from the profile (D9), and the
 * push subscription (users.watch) kept alive from its PERSISTED expiration, renewed a day before it lapses, so
 * a restart or a long uptime never loses it (llm-email.md §7.6, S12).
 */
import type { gmail_v1 } from '@googleapis/gmail';
import type { Db } from '../persistence/db.ts';
import { createSettings } from '../persistence/settings.ts';
import type { Clock } from '../services/clock.ts';
import { createGmailClient, profile, watch } from '../services/mail/gmail.ts';
import type { GmailSettings } from './config-integrations.ts';
import { checkGmailAuth, createGmailAuth } from './http/gmail-push.ts';
import type { Logger } from './observability/logger.ts';

const WATCH_KEY = 'gmail.watch';
const HOUR_MS = 3_600_000;
const RENEW_BEFORE_MS = 24 * HOUR_MS;

export type WatchStatus = 'not configured' | 'ok' | 'missing' | 'expired';

/** Checks the credentials by reading the profile; the agent's address is the mailbox's own (D9). */
export async function connectGmail(settings: GmailSettings): Promise<{ gmail: gmail_v1.Gmail; agentEmail: string }> {
  const auth = createGmailAuth(settings);
  await checkGmailAuth(auth); // a refused token or missing delegation names the file
  const gmail = createGmailClient({ auth, rootUrl: settings.apiUrl });
  try {
    return { gmail, agentEmail: (await profile(gmail)).emailAddress.toLowerCase() };
  } catch (error) {
    throw new Error(`Gmail refused the credentials or is unreachable: ${(error as Error).message}`);
  }
}

/** Keeps users.watch registered; checks hourly, renews when the persisted expiration is within a day. */
export function createWatchKeeper(deps: {
  gmail: gmail_v1.Gmail;
  topic: string | undefined;
  db: Db;
  clock: Clock;
  logger: Logger;
}) {
  const settings = createSettings(deps.db);
  const expiration = (): number | null => {
    const value = settings.get(WATCH_KEY);
    return value ? (JSON.parse(value) as { expirationMs: number }).expirationMs : null;
  };
  let timer: NodeJS.Timeout | undefined;

  async function renewIfDue(): Promise<void> {
    if (!deps.topic) return;
    const expires = expiration();
    if (expires != null && expires - deps.clock.now() > RENEW_BEFORE_MS) return;
    // The watch's historyId is NOT our cursor: renewing never moves the processing position (§7.6 [Port]).
    const result = await watch(deps.gmail, deps.topic);
    settings.set(WATCH_KEY, JSON.stringify({ expirationMs: result.expirationMs, renewedAt: deps.clock.iso() }));
    deps.logger.info('gmail watch registered', { expiresAt: new Date(result.expirationMs).toISOString() });
  }

  return {
    /** At start: registers when missing or due (a failure is logged and retried on the next check). */
    async start() {
      await renewIfDue().catch((error) => deps.logger.error('gmail watch failed', { error: String(error) }));
      timer = setInterval(() => {
        renewIfDue().catch((error) => deps.logger.error('gmail watch renewal failed', { error: String(error) }));
      }, HOUR_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
    status(): WatchStatus {
      if (!deps.topic) return 'not configured';
      const expires = expiration();
      if (expires == null) return 'missing';
      return expires > deps.clock.now() ? 'ok' : 'expired';
    },
    renewIfDue,
  };
}

export type WatchKeeper = ReturnType<typeof createWatchKeeper>;
