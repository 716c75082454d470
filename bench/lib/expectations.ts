/**
 * Waiting for the timeline rows the load generator expects to see committed.
 */
import type { Seen, TimelineWatch } from './watch.ts';
import { sleep } from './common.ts';

export type Negotiation = { id: string; threadId: string; email: string };

/** Waits for the timeline rows this process expects: replies by Message-ID, answers by negotiation. */
export function expectations(watch: TimelineWatch) {
  const replies = new Map<string, (row: Seen | null) => void>();
  const answers = new Map<string, (row: Seen | null) => void>();
  watch.on((row) => {
    const waiting =
      row.type === 'email_received'
        ? row.messageId && replies.get(row.messageId)
        : row.negotiationId && answers.get(row.negotiationId);
    if (!waiting) return;
    if (row.type === 'email_received') replies.delete(row.messageId as string);
    else answers.delete(row.negotiationId as string);
    waiting(row);
  });
  const wait = (map: Map<string, (row: Seen | null) => void>, key: string) => {
    if (map.has(key)) throw new Error(`already waiting for ${key}`);
    return new Promise<Seen | null>((resolve) => map.set(key, resolve));
  };
  const cancel = (map: Map<string, (row: Seen | null) => void>, key: string) => {
    map.get(key)?.(null);
    map.delete(key);
  };
  return {
    /** the email_received entry of this Message-ID committed (null: cancelled) */
    reply: (messageId: string) => wait(replies, messageId),
    cancelReply: (messageId: string) => cancel(replies, messageId),
    /** the next email_sent entry of this negotiation committed */
    answer: (negotiationId: string) => wait(answers, negotiationId),
    cancelAnswer: (negotiationId: string) => cancel(answers, negotiationId),
    outstanding: () => replies.size + answers.size,
    /** negotiations still waiting for an answer */
    awaitingAnswers: () => [...answers.keys()],
  };
}

/** Resolves when `promises` settle; fails when none settled for `stallMs` (with what `describe` says). */
export async function allSettled<T>(promises: Promise<T>[], what: string, stallMs: number, describe: () => string) {
  let done = 0;
  let lastProgress = performance.now();
  const all = Promise.all(
    promises.map((x) =>
      x.then((v) => {
        done++;
        lastProgress = performance.now();
        return v;
      }),
    ),
  );
  let finished = false;
  all.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  while (!finished) {
    if (performance.now() - lastProgress > stallMs)
      throw new Error(`${what}: ${done}/${promises.length} done, no progress for ${stallMs} ms; ${describe()}`);
    await sleep(20);
  }
  return all;
}
