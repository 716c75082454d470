/**
 * The sandbox Slack stand-in: stores escalation, agreement and notice messages for GET /sandbox/slack, fitted to
 * Block Kit's limits exactly as the Slack adapter posts them.
 */
import type { Clock } from '../clock.ts';
import type { SandboxDb } from '../sandbox/db.ts';
import { fitMessage } from './block-kit.ts';
import type { ChatMessage, ChatPort } from './port.ts';

export interface StoredChatMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  ts: string;
  threadTs: string | null;
  negotiationId: string | null;
  kind: ChatMessage['kind'];
}

export function createSandboxSlack(
  db: SandboxDb,
  clock: Clock,
  hooks: { beforePost?: (message: ChatMessage) => void } = {},
) {
  const byKey = db.prepare('SELECT ts FROM slack WHERE key = ?');
  const insert = db.prepare(`
    INSERT INTO slack (ts, key, channel, text, blocks, negotiation_id, kind, thread_ts, at)
    VALUES (@ts, @key, @channel, @text, @blocks, @negotiationId, @kind, @threadTs, @at)`);
  const nextSeq = db.prepare(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM slack`);
  const replace = db.prepare('UPDATE slack SET text = @text, blocks = @blocks WHERE channel = @channel AND ts = @ts');
  const all = db.prepare(`
    SELECT channel, text, blocks, ts, thread_ts AS threadTs, negotiation_id AS negotiationId, kind
    FROM slack ORDER BY seq`);

  const post = db.transaction((message: ChatMessage): { ts: string } => {
    const existing = byKey.get(message.key) as { ts: string } | undefined;
    if (existing) return existing; // idempotent by key, like a retried Slack post that already landed
    const seq = (nextSeq.get() as { n: number }).n;
    const ts = `${Math.floor(clock.now() / 1000)}.${String(seq).padStart(6, '0')}`;
    insert.run({ ...message, ts, blocks: JSON.stringify(message.blocks), at: clock.iso() });
    return { ts };
  });

  const port: ChatPort = {
    async post(message) {
      const fitted = fitMessage(message); // stored as Slack would receive it (within Block Kit limits)
      hooks.beforePost?.(fitted); // a fault hook may refuse the post (services/sandbox/faults.ts)
      return post(fitted);
    },
    async update(message) {
      const fitted = fitMessage(message); // like a post: escaped, within Block Kit limits
      replace.run({ ...fitted, blocks: JSON.stringify(fitted.blocks) });
    },
  };
  return {
    ...port,
    messages(): StoredChatMessage[] {
      return (all.all() as (Omit<StoredChatMessage, 'blocks'> & { blocks: string })[]).map((m) => ({
        ...m,
        blocks: JSON.parse(m.blocks),
      }));
    },
  };
}

export type SandboxSlack = ReturnType<typeof createSandboxSlack>;
