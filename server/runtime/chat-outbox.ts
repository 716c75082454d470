/**
 * Slack messages that could not be posted after every retry (Slack down for longer than the retry window) are
 * kept here and posted when Slack is back, with backoff. Posting is idempotent by key, so a message the outage
 * let through after all is not posted twice.
 */
import { createChatOutboxStore } from '../../persistence/chat-outbox.ts';
import type { Db } from '../../persistence/db.ts';
import type { ChatMessage, ChatPort, ChatUpdate } from '../../services/chat/port.ts';
import type { Clock } from '../../services/clock.ts';
import { backoffMs } from '../../services/retry.ts';
import type { Logger } from '../observability/logger.ts';

const MAX_BACKOFF_MS = 15 * 60_000;
/** A stored row: the message, and the earlier message it refreshes once posted (an escalation's latest state). */
type Deferred = ChatMessage & { refresh?: ChatUpdate };

export function createChatOutbox(deps: { db: Db; chat: ChatPort; clock: Clock; logger: Logger; retryMs: number }) {
  const store = createChatOutboxStore(deps.db);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function deliverDue(): Promise<void> {
    const rows = store.due(deps.clock.iso());
    for (const row of rows) {
      try {
        const { refresh, ...message } = JSON.parse(row.message) as Deferred;
        await deps.chat.post(message);
        if (refresh) await deps.chat.update(refresh); // after the post: a retry re-posts nothing (same key)
        store.done(row.key);
        deps.logger.info('slack message posted late', { key: row.key, attempts: row.attempts + 1 });
      } catch (error) {
        const wait = backoffMs({ baseMs: deps.retryMs, maxMs: MAX_BACKOFF_MS }, row.attempts + 1);
        store.later(row.key, String(error), new Date(deps.clock.now() + wait).toISOString());
        return; // Slack is still down: the rest waits for the next pass
      }
    }
  }

  return {
    /** Keeps a message for later, with the update of an earlier message that must follow it (if any). */
    defer(message: ChatMessage, error: unknown, refresh?: ChatUpdate) {
      const deferred: Deferred = refresh ? { ...message, refresh } : message;
      store.add(message.key, JSON.stringify(deferred), String(error), deps.clock.iso());
      deps.logger.warn('slack message deferred', { key: message.key, error: String(error) });
    },
    /** Messages still waiting for Slack (for /metrics and tests). */
    pending: () => store.count(),
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
