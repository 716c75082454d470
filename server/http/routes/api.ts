/** Health, readiness, metrics and the JSON API of api.md. Routes only translate HTTP into commands and queries. */
import Router from '@koa/router';
import { z } from 'zod';
import type { NegotiationContext } from '../../../machines/negotiation.ts';
import type { Db } from '../../../persistence/db.ts';
import type { NeedsYou } from '../../../persistence/needs-you.ts';
import type { Queries } from '../../../persistence/queries.ts';
import { queryTimeline } from '../../../persistence/timeline.ts';
import { DOMAIN_STATES, type Influencer } from '../../../services/domain.ts';
import { moneyInput } from '../../../services/money.ts';
import type { AppState } from '../app.ts';
import type { SendQueue } from '../../runtime/send-queue.ts';
import type { CampaignIntake } from '../../runtime/campaign-intake.ts';
import { type CampaignPreview, previewBody } from '../../runtime/campaign-preview.ts';
import type { CampaignControl, Commands, Control } from '../../runtime/commands.ts';
import { HttpError } from '../errors.ts';
import type { Metrics } from '../../observability/metrics.ts';
import {
  acceptedInfluencer,
  boundsOf,
  campaignStats,
  campaignSummary,
  escalationView,
  needItem,
  negotiationSummary,
  timelineEntry,
} from '../present.ts';
import { parseInput } from '../validate.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function id(value: string | undefined, what: string): string {
  if (!value || !ID.test(value)) throw new HttpError(400, 'invalid_id', `Not a valid ${what} id`);
  return value;
}

/** A page cursor: the last row's time and id, opaque to clients (base64url JSON). */
const encodeCursor = (at: string, rowId: string) => Buffer.from(JSON.stringify([at, rowId])).toString('base64url');
function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, rowId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof at === 'string' &&
      /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(at) &&
      typeof rowId === 'string' &&
      ID.test(rowId)
    )
      return { at, id: rowId };
  } catch {}
  throw new HttpError(
    400,
    'invalid_cursor',
    'after: not a cursor this API gave (use the X-Next-Cursor or nextCursor of the previous page)',
  );
}

const CURSOR = z
  .string()
  .max(400)
  .regex(/^[A-Za-z0-9_-]+$/, 'a cursor from the previous page');
export const listQuery = z.strictObject({
  campaign: z.string().regex(ID).optional(),
  state: z.enum(DOMAIN_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  /** Keyset paging: the `X-Next-Cursor` of the previous page (the page after it, at any depth, equally fast). */
  after: CURSOR.optional(),
});
export const needsYouQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  after: CURSOR.optional(),
});
// `by` is still accepted for old clients but ignored: who acted is who authenticated (decisions D19).
export const approveBody = z.strictObject({
  rate: z.union([z.string().max(40), z.number()]),
  by: z.string().max(200).optional(),
  /** The escalation the person saw (its `number`): refused with 409 when the negotiation has escalated since. */
  escalation: z.number().int().min(1).max(1_000_000_000).optional(),
});
export const actorBody = z.strictObject({ by: z.string().trim().min(1).max(200).optional() });

const READ_SLICE = 500; // negotiations read per turn for a campaign's answer

export function apiRouter(deps: {
  db: Db;
  queries: Queries;
  /** The negotiation's context through the host's guarded restore: null when parked, undefined when unknown. */
  context(negotiationId: string): NegotiationContext | null | undefined;
  commands: Commands;
  intake: CampaignIntake;
  preview: CampaignPreview;
  needsYou: NeedsYou;
  /** How the agent runs, for the dashboard: the mode and which sandbox stand-ins exist. */
  info(): { mode: 'sandbox' | 'live'; sandbox: { mail: boolean; slack: boolean; clock: boolean } };
  metrics: Metrics | null;
  readiness(): Record<string, 'ok' | string>;
  /** The full raw message of an inbound email, when the mailbox kept it (Gmail, or a raw POST /sandbox/mail). */
  rawMail(messageId: string): string | null;
  sendQueue: Pick<SendQueue, 'status' | 'campaign'>;
}) {
  const { queries, commands } = deps;
  const router = new Router<AppState>({ sensitive: true });

  /** A started campaign's negotiations, read in slices so /health keeps answering during a big campaign. */
  async function startedNegotiations(ids: string[], accepted: { id: string; influencer: Influencer }[]) {
    const out: { id: string; influencer: unknown; state: string; lastOfferedRate: string | null }[] = [];
    const pending = new Map(accepted.map((a) => [a.id, a.influencer]));
    for (let i = 0; i < ids.length; i += READ_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const id of ids.slice(i, i + READ_SLICE)) {
        const n = queries.negotiation(id);
        if (n) {
          const { influencer, state, lastOfferedRate } = negotiationSummary(n);
          out.push({ id, influencer, state, lastOfferedRate });
          continue;
        }
        // Accepted, its negotiation not created yet: what it will start with.
        const p = pending.get(id);
        if (p) out.push({ id, influencer: acceptedInfluencer(p), state: 'initial_offer', lastOfferedRate: null });
      }
    }
    return out;
  }

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', (ctx) => {
    const checks = deps.readiness();
    const ready = Object.values(checks).every((v) => v === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks };
  });
  if (deps.metrics) {
    const registry = deps.metrics.registry;
    deps.metrics.watchReadiness(deps.readiness);
    router.get('/metrics', async (ctx) => {
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
    });
  }

  router.post('/api/v1/campaigns', async (ctx) => {
    const result = await deps.intake.start(ctx.state.body, ctx.state.actor);
    // 202: a big campaign is accepted; its negotiations are created in chunks right after the answer (D20).
    ctx.status = result.accepted.length > 0 ? 202 : result.created ? 201 : 200;
    const negotiations = await startedNegotiations(result.negotiationIds, result.accepted);
    ctx.body = { id: result.id, negotiations, skipped: result.skipped };
  });
  router.get('/api/v1/info', (ctx) => {
    ctx.body = deps.info();
  });
  // Registered before /campaigns/:id so "preview" is never read as an id.
  router.post('/api/v1/campaigns/preview', (ctx) => {
    parseInput(previewBody, ctx.state.body);
    ctx.body = deps.preview.preview(ctx.state.body);
  });
  router.get('/api/v1/campaigns', (ctx) => {
    ctx.body = queries.campaigns().map(campaignSummary);
  });
  router.get('/api/v1/campaigns/:id', (ctx) => {
    const campaignId = id(ctx.params.id, 'campaign');
    const campaign = queries.campaign(campaignId);
    if (!campaign) throw new HttpError(404, 'not_found', `No campaign with id ${campaignId}`);
    ctx.body = {
      ...campaignSummary(campaign),
      definition: campaign.definition,
      negotiations: queries.negotiations({ campaignId, limit: 10_000 }).map(negotiationSummary),
    };
  });

  router.get('/api/v1/campaigns/:id/stats', (ctx) => {
    const campaignId = id(ctx.params.id, 'campaign');
    const campaign = queries.campaign(campaignId);
    if (!campaign) throw new HttpError(404, 'not_found', `No campaign with id ${campaignId}`);
    ctx.body = campaignStats(campaign, deps.needsYou.funnel(campaignId));
  });
  // The campaign's emails in the mailbox's send queue (D20), and the queue as a whole.
  router.get('/api/v1/campaigns/:id/queue', (ctx) => {
    const campaignId = id(ctx.params.id, 'campaign');
    if (!queries.campaign(campaignId)) throw new HttpError(404, 'not_found', `No campaign with id ${campaignId}`);
    const { queued, sentLast24h, nextSendAt } = deps.sendQueue.campaign(campaignId);
    ctx.body = { queued, sentLast24h, nextSendAt, mailbox: deps.sendQueue.status() };
  });
  for (const action of ['pause', 'resume', 'stop'] as CampaignControl[]) {
    router.post(`/api/v1/campaigns/:id/${action}`, async (ctx) => {
      parseInput(actorBody, ctx.state.body);
      ctx.body = await commands.campaign(id(ctx.params.id, 'campaign'), action, ctx.state.actor);
    });
  }

  router.get('/api/v1/needs-you', (ctx) => {
    const q = parseInput(needsYouQuery, ctx.query);
    const limit = q.limit ?? 50;
    const after = q.after ? decodeCursor(q.after) : undefined;
    const rows = deps.needsYou.page(limit + 1, after && { updatedAt: after.at, id: after.id });
    const page = rows.slice(0, limit);
    const definitions = new Map<string, ReturnType<typeof queries.campaignDefinition>>();
    const definitionOf = (campaignId: string) => {
      if (!definitions.has(campaignId)) definitions.set(campaignId, queries.campaignDefinition(campaignId));
      return definitions.get(campaignId);
    };
    const last = page.at(-1);
    // The escalation as stored; one whose snapshot cannot be read goes through the guarded restore (which parks it).
    const escalationOf = (rowId: string) => {
      const stored = deps.needsYou.storedEscalation(rowId);
      return stored !== undefined ? stored : (deps.context(rowId)?.escalation ?? null);
    };
    ctx.body = {
      // counted with the first page (later pages of the same list do not need them again)
      counts: q.after ? null : deps.needsYou.counts(),
      items: page.map((row) =>
        needItem(row, {
          definition: definitionOf(row.campaignId),
          escalation: row.kind === 'escalation' ? escalationOf(row.id) : null,
          latestReply: row.kind === 'parked' ? null : deps.needsYou.latestReply(row.id),
        }),
      ),
      nextCursor: rows.length > limit && last ? encodeCursor(last.updatedAt, last.id) : null,
    };
  });

  router.get('/api/v1/negotiations', (ctx) => {
    const q = parseInput(listQuery, ctx.query);
    if (q.after && q.offset) throw new HttpError(400, 'invalid_request', 'Give either offset or after, not both');
    const limit = q.limit ?? 500;
    const after = q.after ? decodeCursor(q.after) : undefined;
    const filter = { campaignId: q.campaign, state: q.state };
    const rows = queries.negotiations({
      ...filter,
      limit: limit + 1,
      offset: q.offset,
      after: after && { createdAt: after.at, id: after.id },
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    if (rows.length > limit && last) ctx.set('X-Next-Cursor', encodeCursor(last.createdAt, last.id));
    // The total is counted for the first page only: later pages of the same list do not need it again.
    if (!q.after) ctx.set('X-Total-Count', String(queries.countNegotiations(filter)));
    ctx.body = page.map(negotiationSummary);
  });
  router.get('/api/v1/negotiations/:id', (ctx) => {
    const negotiationId = id(ctx.params.id, 'negotiation');
    const context = deps.context(negotiationId); // first: a snapshot found unreadable now is parked
    const row = queries.negotiation(negotiationId);
    if (!row || context === undefined) throw new HttpError(404, 'not_found', `No negotiation with id ${negotiationId}`);
    ctx.body = {
      ...negotiationSummary(row),
      contacts: context?.contacts.contacts ?? [],
      counterparty: context ? { type: context.contacts.primaryType, agency: context.contacts.agencyName } : null,
      escalation: escalationView(context?.escalation ?? null),
      bounds: context ? boundsOf(context.terms, context.influencer.averageViews) : null,
      client: context?.terms.client ?? null,
      timeline: queryTimeline(deps.db, { negotiationId, limit: 10_000 }).map((e) => {
        const entry = timelineEntry(e, true);
        const raw = e.type === 'email_received' ? deps.rawMail(String(e.data.messageId)) : null;
        return raw ? { ...entry, raw } : entry;
      }),
    };
  });

  const controls: Control[] = ['pause', 'resume', 'stop', 'claim', 'release', 'walk_away'];
  for (const action of controls) {
    router.post(`/api/v1/negotiations/:id/${action.replace('_', '-')}`, async (ctx) => {
      parseInput(actorBody, ctx.state.body);
      ctx.body = await commands.control(id(ctx.params.id, 'negotiation'), action, ctx.state.actor);
    });
  }
  router.post('/api/v1/negotiations/:id/approve', async (ctx) => {
    const body = parseInput(approveBody, ctx.state.body);
    const rate = moneyInput(body.rate);
    if ('error' in rate) throw new HttpError(400, 'invalid_rate', `rate: ${rate.error}`);
    ctx.body = await commands.approve(id(ctx.params.id, 'negotiation'), rate.cents, ctx.state.actor, body.escalation);
  });
  router.post('/api/v1/negotiations/:id/unpark', async (ctx) => {
    parseInput(actorBody, ctx.state.body);
    ctx.body = await commands.unpark(id(ctx.params.id, 'negotiation'), ctx.state.actor);
  });
  router.post('/api/v1/agencies/:name/stop', async (ctx) => {
    const name = ctx.params.name?.trim();
    if (!name || name.length > 200)
      throw new HttpError(400, 'invalid_agency', 'Give the agency name (max 200 characters)');
    parseInput(actorBody, ctx.state.body);
    ctx.body = await commands.stopAgency(name, ctx.state.actor);
  });
  return router;
}
