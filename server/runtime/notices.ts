/**
 * The team's Slack notices about the runtime itself (decisions D18): a negotiation that failed or was parked,
 * and a database that stopped (or started again) taking writes. A notice Slack refuses now is kept in the outbox.
 */
import type { FailureCause } from '../../persistence/store.ts';
import { noticeMessage } from '../../services/chat/messages.ts';
import type { ChatPort } from '../../services/chat/port.ts';
import type { Clock } from '../../services/clock.ts';
import type { ChatOutbox } from './chat-outbox.ts';
import type { Logger } from '../observability/logger.ts';

export function createRuntimeNotices(deps: {
  chat: ChatPort;
  outbox: Pick<ChatOutbox, 'defer'>;
  channel: string;
  clock: Clock;
  logger: Logger;
  dbFile: string;
}) {
  function notify(key: string, negotiationId: string | null, title: string, lines: string[]) {
    const message = {
      key,
      channel: deps.channel,
      kind: 'notice' as const,
      negotiationId,
      threadTs: null,
      ...noticeMessage(title, lines),
    };
    deps.chat.post(message).catch((error) => {
      try {
        deps.outbox.defer(message, error);
      } catch (deferError) {
        deps.logger.error('notice not posted', { key, error: String(error), deferError: String(deferError) });
      }
    });
  }

  return {
    failure(id: string, message: string, parked: boolean, cause: FailureCause) {
      const title =
        cause === 'restore'
          ? `Negotiation ${id} is parked: its saved state cannot be restored`
          : parked
            ? `Negotiation ${id} failed repeatedly and is parked`
            : `Negotiation ${id} failed and was reloaded`;
      const lines = parked
        ? [message, 'Fix the cause, then un-park it (POST /api/v1/negotiations/:id/unpark).']
        : [message];
      notify(`${parked ? 'parked' : 'failure'}:${id}:${deps.clock.iso()}`, id, title, lines);
    },
    damage(problem: string) {
      notify(`damage:${deps.clock.iso()}`, null, `The agent's database is damaged (${deps.dbFile})`, [
        problem,
        "Stop the agent and restore the file from a backup (or try the sqlite3 shell's .recover).",
      ]);
    },
    storage(problem: string | null) {
      const at = deps.clock.iso();
      if (!problem) {
        notify(`storage-ok:${at}`, null, 'The agent writes its database again; held work resumed', []);
        return;
      }
      notify(`storage:${at}`, null, `The agent cannot write its database (${deps.dbFile})`, [
        problem,
        'Work is held and resumes by itself once writes succeed (GET /ready shows the state).',
      ]);
    },
  };
}
