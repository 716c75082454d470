/**
 * A big campaign's negotiations, created asleep from its accepted rows (persistence/intake-rows.ts) after the POST
 * was answered (decisions D20): slices of about SLICE_MS, each one transaction that stores negotiations (not in
 * memory), queues their opening emails (the send queue wakes each as its turn nears) and deletes their rows, the
 * event loop free in between. What a restart interrupted goes on at boot (`kick`). Rows of a campaign paused or
 * stopped meanwhile are dropped: nobody new starts there (a re-post after resuming starts them, D12).
 */
import type { Db } from '../../persistence/db.ts';
import type { IntakeRow, IntakeRows } from '../../persistence/intake-rows.ts';
import type { Queries } from '../../persistence/queries.ts';
import { openingSendKey } from '../../machines/negotiation.ts';
import { termsOf } from '../../services/campaigns.ts';
import type { Terms } from '../../services/domain.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import type { Host } from './host.ts';
import type { SendQueue } from './send-queue.ts';

const SLICE_MS = 10; // each transaction grows or shrinks to take about this long (MIN_CHUNK to MAX_CHUNK rows)
const MIN_CHUNK = 10;
const MAX_CHUNK = 100;
const RETRY_MS = 1_000; // after a slice that failed (a full disk): its rows are still there
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createCampaignCreation(deps: {
  db: Db;
  queries: Queries;
  host: Host;
  rows: IntakeRows;
  sendQueue: Pick<SendQueue, 'queueAsleep' | 'poke'>;
  config: Pick<Config, 'paymentTerms' | 'agentEmail'>;
  logger: Logger;
}) {
  const { db, queries, host, rows } = deps;
  let running: Promise<void> | null = null;
  let stopped = false;
  const terms = new Map<string, Terms | null>(); // null: the campaign starts nobody new (paused, stopped)

  function termsFor(campaignId: string): Terms | null {
    if (!terms.has(campaignId)) {
      const definition = queries.campaignDefinition(campaignId);
      const active = definition && queries.campaignStatus(campaignId) === 'active';
      terms.set(campaignId, active ? termsOf(definition, deps.config.paymentTerms) : null);
    }
    return terms.get(campaignId) ?? null;
  }

  function create(batch: IntakeRow[]): void {
    terms.clear(); // a campaign paused or stopped since the last slice is seen now
    const starting = batch.flatMap((row) => {
      const t = termsFor(row.campaignId);
      return t ? [{ row, terms: t }] : [];
    });
    host.create(
      starting.map(({ row, terms }) => ({
        input: {
          id: row.negotiationId,
          influencer: row.influencer,
          terms,
          openingCents: row.openingCents,
          agentEmail: deps.config.agentEmail,
          startedAt: row.startedAt,
        },
        campaignId: row.campaignId,
      })),
      (write) =>
        db
          .transaction(() => {
            write();
            deps.sendQueue.queueAsleep(
              starting.map(({ row }) => ({
                key: openingSendKey(row.negotiationId),
                negotiationId: row.negotiationId,
                campaignId: row.campaignId,
              })),
            );
            for (const row of batch) rows.remove(row.negotiationId);
          })
          .immediate(),
      { asleep: true },
    );
  }

  async function drain(): Promise<void> {
    let size = MIN_CHUNK;
    for (let slice = 0; !stopped; slice++) {
      const batch = rows.next(size);
      if (batch.length === 0) return;
      const began = performance.now();
      create(batch);
      if (slice === 0) deps.sendQueue.poke(); // wakes the first in line; from then on the queue keeps going
      const ms = Math.max(1, performance.now() - began);
      size = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.round((batch.length * SLICE_MS) / ms)));
      await turn();
    }
  }

  function kick(): void {
    if (running || stopped) return;
    let failed = false;
    running = drain()
      .catch((error) => {
        failed = true;
        deps.logger.error('campaign rows not created yet; retrying', { error: String(error) });
      })
      .finally(() => {
        running = null;
        if (stopped) return;
        if (failed) setTimeout(kick, RETRY_MS).unref();
        else if (rows.pending()) kick(); // rows added as the last slice finished
      });
  }

  return {
    /** Creates whatever was accepted and is not created yet; one run at a time (rows added meanwhile join it). */
    kick,
    /** Stops after the slice under way; the rest is created after the next start. */
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
  };
}

export type CampaignCreation = ReturnType<typeof createCampaignCreation>;
