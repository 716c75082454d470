/**
 * Test-only crash points for the sandbox (SANDBOX_CRASH_POINT=point[:n], ignored in live mode): the process
 * SIGKILLs itself the n-th time it reaches that point, so the crash suites hit exact effect boundaries. They are
 * decorators the composition root puts around ports (the mailbox, the commit observer, the mail hand-over); no
 * production path calls them, and without a crash point each decorator returns what it was given.
 */
import type { MailPort } from '../mail/port.ts';

export const CRASH_POINTS = ['reply_acknowledged', 'before_mail_send', 'after_mail_send', 'after_persist'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface CrashPoints {
  /** before_mail_send / after_mail_send: around the mailbox's send (after any Message-ID lookup). */
  mail(port: MailPort): MailPort;
  /** after_persist: after a transition's commit was observed. */
  afterPersist<A extends unknown[]>(observer: (...args: A) => void): (...args: A) => void;
  /** reply_acknowledged: mail is stored and acknowledged, not yet handed to its actor. */
  acknowledged<A extends unknown[]>(receive: (...args: A) => Promise<() => void>): (...args: A) => Promise<() => void>;
}

const NONE: CrashPoints = { mail: (port) => port, afterPersist: (f) => f, acknowledged: (f) => f };

export function sandboxCrashPoints(config: {
  mode: string;
  crashPoint?: { point: CrashPoint; nth: number };
}): CrashPoints {
  const target = config.mode === 'sandbox' ? config.crashPoint : undefined;
  if (!target) return NONE;
  let seen = 0;
  const reach = (point: CrashPoint) => {
    if (point === target.point && ++seen === target.nth) process.kill(process.pid, 'SIGKILL');
  };
  return {
    mail: (port) => ({
      send: async (email) => {
        reach('before_mail_send');
        const receipt = await port.send(email);
        reach('after_mail_send');
        return receipt;
      },
      findSent: (messageId) => port.findSent(messageId),
      fetchSince: (cursor) => port.fetchSince(cursor),
      ...(port.resync ? { resync: port.resync.bind(port) } : {}),
    }),
    afterPersist:
      (observer) =>
      (...args) => {
        observer(...args);
        reach('after_persist');
      },
    acknowledged:
      (receive) =>
      async (...args) => {
        const handOver = await receive(...args);
        return () => {
          reach('reply_acknowledged');
          handOver();
        };
      },
  };
}
