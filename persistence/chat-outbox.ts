/** The Slack messages waiting for Slack to come back (server/runtime/chat-outbox.ts posts them): its statements. */
import type { Db } from './db.ts';

export interface OutboxRow {
  key: string;
  message: string; // the ChatMessage as JSON
  attempts: number;
}

export function createChatOutboxStore(db: Db) {
  const insert = db.prepare(`INSERT OR IGNORE INTO chat_outbox (key, message, last_error, created_at, next_at)
    VALUES (?, ?, ?, ?, ?)`);
  const due = db.prepare('SELECT key, message, attempts FROM chat_outbox WHERE next_at <= ? ORDER BY created_at');
  const done = db.prepare('DELETE FROM chat_outbox WHERE key = ?');
  const later = db.prepare('UPDATE chat_outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE key = ?');
  const count = db.prepare('SELECT COUNT(*) FROM chat_outbox').pluck();
  return {
    /** Kept once per key: a message deferred again is not queued twice. */
    add(key: string, message: string, error: string, at: string) {
      insert.run(key, message, error, at, at);
    },
    due: (now: string) => due.all(now) as OutboxRow[],
    done(key: string) {
      done.run(key);
    },
    later(key: string, error: string, nextAt: string) {
      later.run(error, nextAt, key);
    },
    count: () => count.get() as number,
  };
}
