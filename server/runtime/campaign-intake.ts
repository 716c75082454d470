/**
 * Starting a campaign: validate the body, read influencer rows (body or sheet), and create one negotiation per
 * new (campaign, influencer email) — re-posting the same campaign creates nothing new (decisions D12). The
 * sheet monitor starts a stored campaign's new rows through the same path (startRows).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../persistence/db.ts';
import type { Queries } from '../../persistence/queries.ts';
import { appendTimeline } from '../../persistence/timeline.ts';
import {
  type AcceptedInfluencer,
  type CampaignDefinition,
  CampaignError,
  campaignSchema,
  definitionOf,
  parseCampaignInSlices,
  onlyZeroAmounts,
  type InfluencerRow,
  planInfluencers,
  type Skipped,
  termsOf,
} from '../../services/campaigns.ts';
import { noticeMessage } from '../../services/chat/messages.ts';
import type { ChatPort } from '../../services/chat/port.ts';
import type { Clock } from '../../services/clock.ts';
import type { Terms } from '../../services/domain.ts';
import type { IntakeRows } from '../../persistence/intake-rows.ts';
import type { StartOutcome } from '../../services/sheet-monitor.ts';
import { SheetError, type SheetsPort } from '../../services/sheets/port.ts';
import type { Config } from '../config.ts';
import { Conflict, Invalid, Unprocessable, zodMessage } from '../../services/errors.ts';
import type { Host } from './host.ts';
import type { Logger } from '../observability/logger.ts';
import type { CampaignCreation } from './campaign-creation.ts';

const CHUNK = 10; // negotiations created per transaction before other work gets a turn
// Up to this many new negotiations start at once and the answer waits briefly for their opening offers. More are
// accepted (their rows stored) and created asleep after the answer (stored, their opening emails queued, no actor
// in memory): the send queue wakes each when its turn nears (D20), so a campaign of thousands holds no thousands of
// live actors and composes nothing at intake.
const SETTLE_MAX = 100;
const ROW_SLICE = 500; // influencer rows planned, or stored, at a time
// A short pause, not just a turn: the negotiations just started compose their first emails meanwhile.
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createCampaignIntake(deps: {
  db: Db;
  queries: Queries;
  host: Host;
  intakeRows: Pick<IntakeRows, 'add' | 'find'>;
  /** Creates the accepted rows of a big campaign in the background. */
  creation: Pick<CampaignCreation, 'kick'>;
  sheets: SheetsPort;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'paymentTerms' | 'slack' | 'agentEmail'>;
  /** A campaign started from the sheet: the sheet monitor records what was read. */
  onSheetIngested?(campaignId: string, sheet: { tab: string; rows: InfluencerRow[] }, outcome: StartOutcome): void;
}) {
  const { db, queries, host, clock } = deps;
  let queue: Promise<unknown> = Promise.resolve();

  /** The campaign body, or a 400; a campaign refused for a zero amount (a $0 opening) is told to the team (D3.1). */
  async function parseCampaign(body: unknown) {
    const parsed = await parseCampaignInSlices(body, turn);
    if (parsed.success) return parsed.data;
    const message = zodMessage(parsed.error);
    const b = (body ?? {}) as Record<string, unknown>;
    const id = campaignSchema.shape.id.safeParse(b.id);
    const client = campaignSchema.shape.client.safeParse(b.client);
    if (id.success && client.success && onlyZeroAmounts(parsed.error)) {
      notify(`refused:${id.data}:${clock.iso()}`, `Campaign ${client.data} (${id.data}) was not started`, [message]);
    }
    throw new Invalid('invalid_campaign', message);
  }

  async function start(body: unknown, by: string) {
    const input = await parseCampaign(body);
    const refuse = (message: string, code: string): never => {
      // D3.1: a campaign that cannot start is refused with a clear error AND a notice to the team.
      notify(`refused:${input.id}:${clock.iso()}`, `Campaign ${input.client} (${input.id}) was not started`, [message]);
      throw new Unprocessable(code, message);
    };
    let definition: ReturnType<typeof definitionOf>;
    let terms: ReturnType<typeof termsOf>;
    try {
      definition = definitionOf(input);
      terms = termsOf(definition, deps.config.paymentTerms);
    } catch (error) {
      if (error instanceof CampaignError) return refuse(error.message, 'invalid_campaign');
      throw error;
    }
    const stored = queries.campaignDefinition(definition.id);
    if (stored && JSON.stringify(stored) !== JSON.stringify(definition)) {
      throw new Conflict('campaign_conflict', `Campaign ${definition.id} already exists with different terms`);
    }
    let rows = input.influencers;
    let sheet: { tab: string; rows: InfluencerRow[] } | null = null;
    if (!rows) {
      try {
        sheet = await deps.sheets.readInfluencers(definition.sheetTab ?? null, definition.sheetId ?? null);
        rows = sheet.rows;
      } catch (error) {
        if (error instanceof SheetError) return refuse(error.message, 'sheet_unavailable');
        throw error;
      }
    }
    const source = sheet ? `sheet tab "${sheet.tab}"` : 'request';
    const result = await startInfluencers(definition, terms, rows, source, !!stored, by);
    // The sheet monitor takes over from here: its first poll compares against what was just read (D12).
    if (sheet) deps.onSheetIngested?.(definition.id, sheet, result.outcome);
    // Every negotiation of the campaign, new and existing; the HTTP side presents them (in slices).
    return {
      created: result.ids.length > 0 || !stored,
      id: definition.id,
      negotiationIds: [...result.existing, ...result.ids],
      /** Accepted and still being created (a big campaign): the answer is 202 and lists them from here. */
      accepted: result.accepted,
      skipped: result.skipped,
    };
  }

  /**
   * Starts a negotiation for every acceptable row not negotiating yet (unique per campaign and email), in one
   * transaction with the campaign (when new) and its audit entry; reports which emails negotiate and which failed.
   */
  async function startInfluencers(
    definition: CampaignDefinition,
    terms: Terms,
    rows: InfluencerRow[],
    source: string,
    stored: boolean,
    by: string | null = null, // who started it (an API caller, ClickUp); the sheet monitor is the source itself
  ) {
    const skipped: Skipped[] = [];
    const failed: StartOutcome['failed'] = [];
    const fresh: AcceptedInfluencer[] = [];
    const existing: string[] = [];
    // A campaign paused or stopped as a whole starts nobody new; the sheet monitor retries its rows later.
    const status = stored ? queries.campaignStatus(definition.id) : 'active';
    // In slices: a long list is planned (and looked up) ROW_SLICE rows at a time, the event loop free in between.
    const plans: ReturnType<typeof planInfluencers> = [];
    const seen = new Set<string>();
    for (let from = 0; from < rows.length; from += ROW_SLICE) {
      if (from > 0) await turn();
      const slice = rows.slice(from, from + ROW_SLICE);
      const negotiating = (email: string) =>
        queries.negotiationFor(definition.id, email)?.id ?? deps.intakeRows.find(definition.id, email);
      plans.push(...planInfluencers(slice, terms, negotiating, seen));
    }
    for (const [i, plan] of plans.entries()) {
      if (plan.kind === 'existing') existing.push(plan.negotiationId);
      else if (plan.kind === 'new' && status === 'active') fresh.push(plan.accepted);
      else {
        const reason = plan.kind === 'skipped' ? plan.skipped.reason : `the campaign is ${status}`;
        skipped.push(plan.kind === 'skipped' ? plan.skipped : { name: plan.accepted.influencer.name, reason });
        const email = rows[i].email?.trim();
        if (email && !reason.startsWith('duplicate row')) failed.push({ email: email.toLowerCase(), reason });
      }
    }

    const ids = fresh.map(() => `neg-${randomBytes(8).toString('hex')}`);
    const startedAt = clock.iso();
    const news = fresh.length > 0 || !stored; // a re-post with nothing new is silent
    // A big campaign is accepted, not created, here: its rows are stored in slices (the first with the campaign and
    // its audit entry) and become negotiations in the background (campaign-creation.ts), asleep until their turn in
    // the send queue nears. A crash between slices leaves the rest to a re-post (or the sheet monitor), which starts
    // exactly the missing ones (D12). A small one is created here, ten negotiations a transaction, and starts at once.
    const asleep = fresh.length > SETTLE_MAX;
    const size = asleep ? ROW_SLICE : CHUNK;
    for (let from = 0; from === 0 || from < fresh.length; from += size) {
      if (from > 0) await (asleep ? turn() : pause());
      const first = from === 0;
      const slice = fresh.slice(from, from + size).map((f, i) => ({ ...f, id: ids[from + i] }));
      const transaction = (write: () => void) =>
        db
          .transaction(() => {
            if (first) record();
            write();
          })
          .immediate();
      if (asleep) {
        const campaignId = definition.id;
        transaction(() =>
          deps.intakeRows.add(slice.map((f) => ({ ...f, negotiationId: f.id, campaignId, startedAt }))),
        );
        continue;
      }
      host.create(
        slice.map((f) => ({
          input: {
            id: f.id,
            influencer: f.influencer,
            terms,
            openingCents: f.openingCents,
            agentEmail: deps.config.agentEmail,
            startedAt,
          },
          campaignId: definition.id,
        })),
        transaction,
      );
    }
    if (asleep) deps.creation.kick();
    function record() {
      const at = clock.iso();
      if (!stored) queries.insertCampaign(definition, at);
      if (news) {
        appendTimeline(db, {
          negotiationId: null,
          campaignId: definition.id,
          influencerEmail: null,
          at,
          entry: {
            type: 'campaign_start',
            source,
            ...(by ? { by } : {}),
            started: fresh.length,
            existing: existing.length,
            skipped,
          },
        });
      }
    }
    if (news) {
      notify(
        `campaign:${definition.id}:${clock.iso()}`,
        `Campaign ${definition.client} (${definition.id}): ${fresh.length} ${fresh.length === 1 ? 'negotiation' : 'negotiations'} started from the ${source}`,
        skipped.map((s) => `Not started: ${s.name} — ${s.reason}`),
      );
    }
    // Report the opening offers when they go out promptly (always in the sandbox); never wait long.
    // A big campaign's emails go out over the days the caps need (D20): nothing to wait for.
    const settling = ids.length <= SETTLE_MAX ? ids : [];
    await Promise.race([Promise.all(settling.map((id) => host.settle(id))), new Promise((r) => setTimeout(r, 2_000))]);
    const started = [
      ...existing.map((id) => queries.negotiation(id)?.influencerEmail ?? ''),
      ...fresh.map((f) => f.influencer.email),
    ];
    const outcome: StartOutcome = { started: started.filter(Boolean), failed };
    // Accepted, created in the background: presented from here until their negotiations exist.
    const accepted = asleep ? fresh.map((f, i) => ({ id: ids[i], influencer: f.influencer })) : [];
    return { ids, existing, skipped, outcome, accepted };
  }

  /** The sheet monitor's new (or retried) rows of a campaign already stored. */
  async function startRows(campaignId: string, rows: InfluencerRow[]): Promise<StartOutcome> {
    const definition = queries.campaignDefinition(campaignId);
    if (!definition) throw new Error(`campaign ${campaignId} is not stored`);
    const terms = termsOf(definition, deps.config.paymentTerms);
    return (await startInfluencers(definition, terms, rows, 'sheet monitor', true)).outcome;
  }

  function notify(key: string, title: string, lines: string[]) {
    deps.chat
      .post({
        key,
        channel: deps.config.slack.escalationChannel,
        kind: 'notice',
        negotiationId: null,
        threadTs: null,
        ...noticeMessage(title, lines),
      })
      .catch((error) => deps.logger.error('campaign notice not posted', { key, error: String(error) }));
  }

  return {
    /** Serialized: two posts of the same campaign never race each other. */
    /** `by`: who asked, from authentication (decisions D19), recorded in the campaign's audit entry. */
    start(body: unknown, by: string) {
      const result = queue.then(() => start(body, by));
      queue = result.catch(() => undefined);
      return result;
    },
    startRows(campaignId: string, rows: InfluencerRow[]) {
      const result = queue.then(() => startRows(campaignId, rows));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

export type CampaignIntake = ReturnType<typeof createCampaignIntake>;
