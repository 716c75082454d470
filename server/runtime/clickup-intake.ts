/**
 * Campaigns from ClickUp (domain.md §5, decisions D12): a verified webhook delivery is recorded once (its key is
 * the primary key, so re-deliveries are no-ops), acknowledged, then processed: the task is read, mapped to a
 * campaign and started through the same intake as POST /api/v1/campaigns. A task that cannot start gets a Slack
 * notice naming what is missing; a ClickUp outage leaves the delivery pending, retried later and at boot.
 */
import type { Db } from '../../persistence/db.ts';
import { createWebhookDeliveries, type DeliveryStatus } from '../../persistence/webhook-deliveries.ts';
import { noticeMessage } from '../../services/chat/messages.ts';
import type { ChatPort } from '../../services/chat/port.ts';
import { campaignFromTask } from '../../services/clickup/campaign.ts';
import { ClickUpApiError, createClickUpClient } from '../../services/clickup/client.ts';
import { type ClickUpEvent, deliveryKey } from '../../services/clickup/webhook.ts';
import type { Clock } from '../../services/clock.ts';
import { DomainError } from '../../services/errors.ts';
import type { CampaignIntake } from './campaign-intake.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../observability/logger.ts';

const RETRY_MS = 5 * 60_000;

export function createClickUpIntake(deps: {
  db: Db;
  settings: NonNullable<Config['clickup']>;
  intake: CampaignIntake;
  chat: ChatPort;
  channel: string;
  clock: Clock;
  logger: Logger;
}) {
  const client = createClickUpClient({ token: deps.settings.token, baseUrl: deps.settings.apiUrl });
  const deliveries = createWebhookDeliveries(deps.db, 'clickup');
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function processOne(key: string, taskId: string): Promise<void> {
    const mark = (status: DeliveryStatus, error: string | null) =>
      deliveries.mark(key, status, error, deps.clock.iso());
    const refuse = async (problems: string[]) => {
      mark('refused', problems.join('; '));
      await deps.chat
        .post({
          key: `clickup-refused:${taskId}`,
          channel: deps.channel,
          kind: 'notice',
          negotiationId: null,
          threadTs: null,
          ...noticeMessage(`ClickUp task ${taskId} was not turned into a campaign`, problems),
        })
        .catch((error) => deps.logger.error('clickup notice not posted', { taskId, error: String(error) }));
    };
    try {
      const mapped = campaignFromTask(await client.getTask(taskId));
      if ('problems' in mapped) return await refuse(mapped.problems);
      await deps.intake.start(mapped.campaign, 'clickup'); // the intake posts its own notice when it refuses
      mark('done', null);
    } catch (error) {
      if (error instanceof ClickUpApiError && error.retryable) {
        mark('pending', error.message); // tried again on the next pass
      } else if (error instanceof DomainError || error instanceof ClickUpApiError) {
        await refuse([error.message]);
      } else {
        mark('pending', String(error));
        throw error;
      }
    }
  }

  /** Works through every pending delivery, one at a time (the intake is serialized anyway). */
  function processPending(): Promise<void> {
    running = running
      .then(async () => {
        for (const row of deliveries.pending()) await processOne(row.key, row.subject);
      })
      .catch((error) => {
        deps.logger.error('clickup delivery failed', { error: String(error) });
      });
    return running;
  }

  return {
    /** Records a verified task-created delivery; false when it was seen before (a re-delivery). */
    accept(event: ClickUpEvent & { taskId: string }): boolean {
      return deliveries.record(deliveryKey(event), event.taskId, deps.clock.iso());
    },
    processPending,
    start() {
      void processPending();
      timer = setInterval(() => void processPending(), RETRY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export type ClickUpIntake = ReturnType<typeof createClickUpIntake>;
