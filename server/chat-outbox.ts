/**
 * Slack messages that could not be posted after every retry (Slack down for longer than the retry window) are
 * kept here and posted when Slack is back, with backoff. Posting is idempotent by key, so a message the outage
 * let through after all is not posted twice.
 */
import type { Db } from '../persistence/db.ts';
import type { ChatMessage, ChatPort } from '../services/chat/port.ts';
import type { Clock } from '../services/clock.ts';
import type { Logger } from './logger.ts';

const MAX_BACKOFF_MS = 15 * 60_000;

export function createChatOutbox(deps: { db: Db; chat: ChatPort; clock: Clock; logger: Logger; retryMs: number }) {
  const insert = deps.db.prepare(`INSERT OR IGNORE INTO chat_outbox (key, message, last_error, created_at, next_at)
    VALUES (?, ?, ?, ?, ?)`);
  const due = deps.db.prepare('SELECT key, message, attempts FROM chat_outbox WHERE next_at <= ? ORDER BY created_at');
  const done = deps.db.prepare('DELETE FROM chat_outbox WHERE key = ?');
  const later = deps.db.prepare(
    'UPDATE chat_outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE key = ?',
  );
  const count = deps.db.prepare('SELECT COUNT(*) FROM chat_outbox').pluck();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function deliverDue(): Promise<void> {
    const rows = due.all(deps.clock.iso()) as { key: string; message: string; attempts: number }[];
    for (const row of rows) {
      try {
        await deps.chat.post(JSON.parse(row.message) as ChatMessage);
        done.run(row.key);
        deps.logger.info('slack message posted late', { key: row.key, attempts: row.attempts + 1 });
      } catch (error) {
        const wait = Math.min(MAX_BACKOFF_MS, deps.retryMs * 2 ** Math.min(row.attempts, 10));
        later.run(String(error), new Date(deps.clock.now() + wait).toISOString(), row.key);
        return; // Slack is still down: the rest waits for the next pass
      }
    }
  }

  return {
    defer(message: ChatMessage, error: unknown) {
      const at = deps.clock.iso();
      insert.run(message.key, JSON.stringify(message), String(error), at, at);
      deps.logger.warn('slack message deferred', { key: message.key, error: String(error) });
    },
    /** Messages still waiting for Slack (for /metrics and tests). */
    pending: () => count.get() as number,
    start() {
      timer = setInterval(() => {
        running = running.then(deliverDue).catch((error) => {
          deps.logger.error('slack outbox failed', { error: String(error) });
        });
      }, deps.retryMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export type ChatOutbox = ReturnType<typeof createChatOutbox>;
